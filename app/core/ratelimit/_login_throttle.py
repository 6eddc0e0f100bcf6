"""Slows password guessing to a few attempts per window, whatever the concurrency.

Every login attempt is counted BEFORE its password is checked: one atomic upsert reserves
the attempt for the (email, client address) pair and is committed at once, so concurrent
guesses, in any worker, each see the others' reservations. Once `limit` attempts are on
record within the window, login answers 429 with Retry-After until the window ends, without
hashing: at most `limit` passwords are ever verified per pair and window. A successful login
deletes the record (and with it the count). Keyed by email and address together, so
someone elsewhere cannot lock a user out; counted in PostgreSQL, so the limit holds across
workers and restarts.
"""

import hashlib
import logging
import math
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from sqlalchemy import case, delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import TooManyRequests
from app.core.ratelimit._login_failures import LoginFailures

logger = logging.getLogger(__name__)

# Expired windows removed per failed login: enough to keep the table small.
SWEEP_BATCH = 100
_TOO_MANY = {
    "login": ("failed logins", {"credentials": ["too many failed attempts"]}),
    "mail": ("requests for this email", {"email": ["too many requests"]}),
}


@dataclass(frozen=True)
class LoginThrottle:
    """Per (email, client address) and window. `purpose="mail"` counts requests for mailed
    links (password reset, verification) in the same table, under keys of their own."""

    client: str
    limit: int
    window: timedelta
    purpose: Literal["login", "mail"] = "login"

    def key(self, email: str) -> str:
        """The stored key: a hash, so the table holds no email and no address."""
        counted = email.lower() if self.purpose == "login" else f"{self.purpose}\n{email.lower()}"
        return hashlib.sha256(f"{counted}\n{self.client}".encode()).hexdigest()

    async def reserve(self, session: AsyncSession, email: str) -> int:
        """Count this attempt and COMMIT, before any hashing; 429 beyond the limit.

        The upsert locks the pair's row, so concurrent attempts are counted one after
        the other and exactly `limit` of them get through. Returns the attempt's number.
        """
        now = func.clock_timestamp()
        expired = LoginFailures.window_started_at < now - self.window
        upsert = insert(LoginFailures).values(key=self.key(email), count=1, window_started_at=now)
        count, started_at, at = (
            await session.execute(
                upsert.on_conflict_do_update(
                    index_elements=[LoginFailures.key],
                    set_={
                        "count": case((expired, 1), else_=LoginFailures.count + 1),
                        "window_started_at": case(
                            (expired, now), else_=LoginFailures.window_started_at
                        ),
                    },
                ).returning(LoginFailures.count, LoginFailures.window_started_at, now)
            )
        ).one()
        await session.commit()
        if count > self.limit:
            remaining = max(1, math.ceil((started_at + self.window - at).total_seconds()))
            what, errors = _TOO_MANY[self.purpose]
            raise TooManyRequests(
                f"Too many {what}; try again in {remaining} seconds.",
                errors,
                retry_after_seconds=remaining,
            )
        attempt: int = count
        return attempt

    async def record_failure(self, session: AsyncSession, email: str, attempt: int) -> None:
        """The reserved attempt failed: it stays counted. Sweeps expired windows and COMMITs."""
        if attempt == self.limit:
            # For operators: a burst of these is a guessing attack. No email in the log.
            key = self.key(email)
            logger.warning("login locked after %d failures (throttle key %s)", attempt, key[:12])
        await self.sweep(session)
        await session.commit()

    async def sweep(self, session: AsyncSession) -> None:
        """Delete a batch of expired windows (with the request's transaction)."""
        expired = LoginFailures.window_started_at < func.clock_timestamp() - self.window
        stale = select(LoginFailures.key).where(expired).limit(SWEEP_BATCH)
        await session.execute(delete(LoginFailures).where(LoginFailures.key.in_(stale)))

    async def clear(self, session: AsyncSession, email: str) -> None:
        """A success: forget the pair's attempts (committed with the request)."""
        await session.execute(delete(LoginFailures).where(LoginFailures.key == self.key(email)))
