from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ColumnElement,
    DateTime,
    Identity,
    Index,
    String,
    Text,
    and_,
    bindparam,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.core.auth import ROLES, Role
from app.core.db import Base, Timestamps

USERNAME_MAX_LENGTH = 64
EMAIL_MAX_LENGTH = 254  # RFC 5321 path limit


class User(Timestamps, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    username: Mapped[str] = mapped_column(String(USERNAME_MAX_LENGTH))
    email: Mapped[str] = mapped_column(String(EMAIL_MAX_LENGTH))
    password_hash: Mapped[str] = mapped_column(Text)
    bio: Mapped[str | None] = mapped_column(Text)
    image: Mapped[str | None] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(16), server_default=Role.USER.value)
    # Set by an admin; a deactivated account cannot sign in and its sessions are refused.
    deactivated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # When the current email was proven by a mailed link; None again after a change.
    email_verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint(
            "role IN (" + ", ".join(f"'{role.value}'" for role in ROLES) + ")", name="role"
        ),
    )

    def __repr__(self) -> str:
        return f"User(id={self.id!r}, username={self.username!r})"


# Case-insensitive uniqueness: "Alice" and "alice" cannot both register. Lookups by email
# compare lower(email) and so use the same index.
Index("uq_users_username_lower", func.lower(User.username), unique=True)
Index("uq_users_email_lower", func.lower(User.email), unique=True)


def has_username(username: str) -> ColumnElement[bool]:
    """Exact username match, phrased so PostgreSQL can use the lower(username) index."""
    return and_(func.lower(User.username) == username.lower(), User.username == username)


def has_bound_username(parameter: str) -> ColumnElement[bool]:
    """`has_username` with the name bound to the parameter `parameter`: for statements built
    once (driver reads), the name given when they run."""
    name = bindparam(parameter, type_=String)
    return and_(func.lower(User.username) == func.lower(name), User.username == name)
