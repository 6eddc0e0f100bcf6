from datetime import datetime

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base


class LoginFailures(Base):
    """Login attempts counted per (email, client address) within a window.

    An attempt is counted before its password is checked; a successful login deletes the
    row, so what a row counts is failures (and attempts still being checked).

    Keyed by a hash, so the table holds no email address (the email may not belong to any
    user) and no client address.
    """

    __tablename__ = "login_failures"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    # Indexed for the sweep of expired windows.
    window_started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
