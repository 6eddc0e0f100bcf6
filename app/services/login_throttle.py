"""Slows password guessing to a few attempts per window.

After `limit` failed logins for one email from one client address within the window,
login answers 429 with Retry-After until the window ends, without checking the password:
a throttled guess costs no hashing either. A successful login resets the count. Keyed by
email and address together, so someone elsewhere cannot lock a user out; counted in
PostgreSQL, so the limit holds across workers and restarts. Concurrent guesses racing
past the check can overshoot the limit by at most the number in flight.
"""

import hashlib
import logging
import math
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import case, delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import TooManyRequests
from app.models import LoginFailures

logger = logging.getLogger(__name__)

# Expired windows removed per recorded failure: enough to keep the table small.
SWEEP_BATCH = 100


@dataclass(frozen=True)
class LoginThrottle:
    client: str
    limit: int
    window: timedelta

    def _key(self, email: str) -> str:
        return hashlib.sha256(f"{email.lower()}\n{self.client}".encode()).hexdigest()

    async def check(self, session: AsyncSession, email: str) -> bool:
        """Raise 429 while this email is locked for this client; True if failures are on record."""
        row = (
            await session.execute(
                select(
                    LoginFailures.count, LoginFailures.window_started_at, func.clock_timestamp()
                ).where(LoginFailures.key == self._key(email))
            )
        ).one_or_none()
        if row is None:
            return False
        count, started_at, now = row
        remaining = math.ceil((started_at + self.window - now).total_seconds())
        if count >= self.limit and remaining > 0:
            raise TooManyRequests(
                f"Too many failed logins; try again in {remaining} seconds.",
                {"credentials": ["too many failed attempts"]},
                retry_after_seconds=remaining,
            )
        return True

    async def record_failure(self, session: AsyncSession, email: str) -> None:
        """Count a failure and COMMIT: the request fails next, and failed requests roll back."""
        now = func.clock_timestamp()
        expired = LoginFailures.window_started_at < now - self.window
        key = self._key(email)
        upsert = insert(LoginFailures).values(key=key, count=1, window_started_at=now)
        count = await session.scalar(
            upsert.on_conflict_do_update(
                index_elements=[LoginFailures.key],
                set_={
                    "count": case((expired, 1), else_=LoginFailures.count + 1),
                    "window_started_at": case(
                        (expired, now), else_=LoginFailures.window_started_at
                    ),
                },
            ).returning(LoginFailures.count)
        )
        if count == self.limit:
            # For operators: a burst of these is a guessing attack. No email in the log.
            logger.warning("login locked after %d failures (throttle key %s)", count, key[:12])
        stale = select(LoginFailures.key).where(expired).limit(SWEEP_BATCH)
        await session.execute(delete(LoginFailures).where(LoginFailures.key.in_(stale)))
        await session.commit()

    async def clear(self, session: AsyncSession, email: str) -> None:
        await session.execute(delete(LoginFailures).where(LoginFailures.key == self._key(email)))
