"""Expired rows deleted a batch at a time (app/core/db/_expired_rows.py), on the real tables."""

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.db import delete_expired
from app.identity.sessions.models import UserSession
from app.identity.users.models import User


async def _sessions_of(session: AsyncSession, name: str, *lifetimes: timedelta) -> User:
    user = User(username=name, email=f"{name}@example.com", password_hash="x")
    session.add(user)
    await session.flush()
    for lifetime in lifetimes:
        session.add(
            UserSession(
                user_id=user.id,
                expires_at=func.now() + lifetime,
                absolute_expires_at=func.now() + timedelta(days=30),
            )
        )
    await session.flush()
    return user


async def _left(session: AsyncSession, user: User) -> list[bool]:
    expires = await session.scalars(
        select(UserSession.expires_at > func.now()).where(UserSession.user_id == user.id)
    )
    return sorted(expires)


async def test_expired_rows_go_live_ones_stay(session: AsyncSession) -> None:
    user = await _sessions_of(session, "sweep-some", timedelta(hours=-1), timedelta(hours=1))

    await delete_expired(session, UserSession.id, UserSession.expires_at, batch=100)

    assert await _left(session, user) == [True]


async def test_one_sweep_deletes_at_most_a_batch(session: AsyncSession) -> None:
    # The only expired rows in this transaction's view are this test's own.
    await delete_expired(session, UserSession.id, UserSession.expires_at, batch=10_000)
    user = await _sessions_of(session, "sweep-batch", *[timedelta(minutes=-5)] * 3)

    await delete_expired(session, UserSession.id, UserSession.expires_at, batch=2)

    assert await _left(session, user) == [False]
