from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    LargeBinary,
    String,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base

PASSKEY_NAME_MAX_LENGTH = 100


class Passkey(Base):
    """A registered WebAuthn credential: its id and public key (the private key never
    leaves the authenticator), and the signature counter it last reported."""

    __tablename__ = "passkeys"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    credential_id: Mapped[bytes] = mapped_column(LargeBinary, unique=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    sign_count: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(PASSKEY_NAME_MAX_LENGTH))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CeremonyPurpose(StrEnum):
    REGISTRATION = "registration"
    SIGN_IN = "sign_in"


class PasskeyCeremony(Base):
    """The challenge of a registration or sign-in between its options and its answer, by
    the digest of the token the client holds: single use (deleted when answered) and
    short-lived. A registration's belongs to its account; a sign-in's to nobody yet."""

    __tablename__ = "passkey_ceremonies"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    challenge: Mapped[bytes] = mapped_column(LargeBinary)
    # Indexed for the sweep of expired ceremonies.
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)

    __table_args__ = (
        CheckConstraint(
            "purpose IN (" + ", ".join(f"'{p.value}'" for p in CeremonyPurpose) + ")",
            name="purpose",
        ),
    )
