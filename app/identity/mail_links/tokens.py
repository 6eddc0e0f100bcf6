"""Single-use, short-lived tokens for links sent by mail, stored as digests.

A link is used by one atomic UPDATE (unused, unexpired, of the right purpose: mark it
used and return it), so two requests with one link cannot both succeed.
"""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.auth import digest_of, new_opaque_token
from app.core.db import delete_expired
from app.core.errors import AppError
from app.identity.mail_links.models import EmailToken, EmailTokenPurpose
from app.identity.users.models import User

SWEEP_BATCH = 100


class InvalidLink(AppError):
    """400: the link is unknown, used, expired, or for an address the account no longer has."""

    def __init__(self) -> None:
        super().__init__(
            "The link is invalid, already used or expired; ask for a new one.",
            {"token": ["is invalid or expired"]},
        )


@dataclass(frozen=True, slots=True)
class UsedLink:
    user: User
    sent_to: str  # the address the link was mailed to


async def issue(
    session: AsyncSession, user: User, purpose: EmailTokenPurpose, lifetime: timedelta
) -> str:
    """A new link token for `user`, valid `lifetime`; the secret, to put in the mail."""
    token = new_opaque_token()
    await session.execute(
        insert(EmailToken).values(
            digest=token.digest,
            user_id=user.id,
            purpose=purpose.value,
            email=user.email,
            expires_at=func.now() + lifetime,
        )
    )
    await delete_expired(session, EmailToken.digest, EmailToken.expires_at, SWEEP_BATCH)
    return token.secret


async def check(session: AsyncSession, secret: str, purpose: EmailTokenPurpose) -> None:
    """`InvalidLink` unless the link is usable now: a read, for work to do before `use`
    (which still decides, atomically)."""
    usable = await session.scalar(
        select(EmailToken.user_id).where(
            EmailToken.digest == digest_of(secret),
            EmailToken.purpose == purpose.value,
            EmailToken.used_at.is_(None),
            EmailToken.expires_at > func.now(),
        )
    )
    if usable is None:
        raise InvalidLink


async def use(session: AsyncSession, secret: str, purpose: EmailTokenPurpose) -> UsedLink:
    """Mark the link used and return its user; `InvalidLink` if it cannot be used.

    A link mailed to an address the account no longer has proves nothing: refused.
    """
    used = (
        await session.execute(
            update(EmailToken)
            .where(
                EmailToken.digest == digest_of(secret),
                EmailToken.purpose == purpose.value,
                EmailToken.used_at.is_(None),
                EmailToken.expires_at > func.now(),
            )
            .values(used_at=func.now())
            .returning(EmailToken.user_id, EmailToken.email)
            .execution_options(synchronize_session=False)
        )
    ).one_or_none()
    if used is None:
        raise InvalidLink
    user = await session.get(User, used.user_id)
    if user is None or user.email.lower() != used.email.lower():
        raise InvalidLink
    return UsedLink(user, used.email)


async def retire_all(session: AsyncSession, user: User, purpose: EmailTokenPurpose) -> None:
    """Every unused link of this purpose for the user stops working (e.g. after a reset)."""
    await session.execute(
        update(EmailToken)
        .where(
            EmailToken.user_id == user.id,
            EmailToken.purpose == purpose.value,
            EmailToken.used_at.is_(None),
        )
        .values(used_at=func.now())
        .execution_options(synchronize_session=False)
    )
