"""The login throttle's rows are locked in one order by every statement: concurrent
logins of one account from one address (an office behind one NAT, a retrying client, a
load test) never deadlock, and every attempt they reserve is given back."""

import asyncio
import uuid
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from app.core.ratelimit import LoginFailures, LoginThrottle

CONCURRENT = 8
ROUNDS = 25


async def test_concurrent_successful_logins_never_deadlock_and_leave_no_count(
    engine: AsyncEngine,
) -> None:
    email = f"busy-{uuid.uuid4().hex[:12]}@example.com"
    throttle = LoginThrottle(
        f"198.51.100.{uuid.uuid4().int % 250 + 1}",
        limit=10_000,
        window=timedelta(minutes=15),
        address_limit=10_000,
        account_limit=10_000,
    )
    sessions = async_sessionmaker(engine, expire_on_commit=False)

    async def log_in() -> None:
        """A successful login's throttle statements, as the login route runs them."""
        async with sessions() as session:
            await throttle.reserve(session, email)  # committed before the password check
            await asyncio.sleep(0)  # the password check: others reserve meanwhile
            await throttle.clear(session, email)
            await session.execute(select(func.pg_sleep(0.002)))  # the session row, the audit
            await session.commit()

    try:
        for _ in range(ROUNDS):
            await asyncio.gather(*(log_in() for _ in range(CONCURRENT)))
        async with sessions() as session:
            left = (
                await session.scalars(
                    select(LoginFailures.count).where(LoginFailures.key.in_(throttle.keys(email)))
                )
            ).all()
    finally:
        async with sessions() as session:
            await session.execute(
                delete(LoginFailures).where(LoginFailures.key.in_(throttle.keys(email)))
            )
            await session.commit()

    assert left == []  # every reservation was given back: no count keeps growing
