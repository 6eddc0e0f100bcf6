"""The two-factor tables: a TOTP credential per account, its recovery codes, and the
challenges a password step opens for the code step."""

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base


class TotpCredential(Base):
    """An account's TOTP secret, encrypted (`app/identity/two_factor/sealing.py`).

    Enrolment writes it unconfirmed; the first right code confirms it, and from then on the
    account signs in in two steps. `last_used_step` is the time step (30 s) of the last
    code accepted: a code of that step or an earlier one is refused, so a code works once.
    """

    __tablename__ = "totp_credentials"

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    sealed_secret: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_step: Mapped[int | None] = mapped_column(BigInteger)


class RecoveryCode(Base):
    """A one-time code for a lost authenticator, by its digest; deleted when used."""

    __tablename__ = "recovery_codes"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )


class SignInChallenge(Base):
    """The password step of a two-factor sign-in, waiting for its code: single use,
    short-lived, void after `TWO_FACTOR_CHALLENGE_ATTEMPTS` wrong codes."""

    __tablename__ = "sign_in_challenges"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    # Indexed for the sweep of expired challenges.
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    failed_attempts: Mapped[int] = mapped_column(Integer, server_default="0")
