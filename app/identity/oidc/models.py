from datetime import datetime

from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKey,
    Identity,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base


class OidcIdentity(Base):
    """An account at an OpenID Connect provider (its issuer and subject) linked to ours."""

    __tablename__ = "oidc_identities"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    issuer: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    # What the provider said the address was when linked (for the owner's list only).
    email: Mapped[str | None] = mapped_column(String(254))
    linked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (UniqueConstraint("issuer", "subject"),)


class OidcFlow(Base):
    """A sign-in (or a link, with `user_id`) sent to the provider and not back yet: by the
    digest of its `state`, with the nonce the ID token must carry and the PKCE verifier.
    Single use, short-lived."""

    __tablename__ = "oidc_flows"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64))
    code_verifier: Mapped[str] = mapped_column(String(128))
    user_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    # Indexed for the sweep of expired flows.
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
