from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Identity, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base
from app.core.edge import CLIENT_ADDRESS_MAX_LENGTH


class UserSession(Base):
    """A sign-in: opened by login or registration, ended by logout, revocation or expiry.

    Written when it opens, on each refresh and when it is revoked; never on ordinary
    requests, which only read it (joined to the user lookup). `expires_at` is the earlier
    of the refresh token's idle lapse and `absolute_expires_at`.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # When the password was last proven in this session (sign-in, re-authentication): the
    # sensitive changes need it recent (REAUTH_WINDOW_MINUTES). A refresh does not move it.
    authenticated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    last_refreshed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    # Indexed for the sweep of ended sessions.
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    absolute_expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    client_address: Mapped[str | None] = mapped_column(String(CLIENT_ADDRESS_MAX_LENGTH))
    user_agent: Mapped[str | None] = mapped_column(Text)


class RefreshToken(Base):
    """Every refresh token a session was given, by digest; `used_at` once it was rotated.

    Used tokens stay until their session is swept: presenting one again is how a stolen
    token is detected (the whole session is then revoked).
    """

    __tablename__ = "refresh_tokens"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    session_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("user_sessions.id", ondelete="CASCADE"), index=True
    )
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
