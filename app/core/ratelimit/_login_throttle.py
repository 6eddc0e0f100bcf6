"""Slows password guessing to a few attempts per window, whatever the concurrency.

Every login attempt is counted BEFORE its password is checked: one atomic upsert reserves
the attempt for the (email, client address) pair and is committed at once, so concurrent
guesses, in any worker, each see the others' reservations. Once `limit` attempts are on
record within the window, login answers 429 with Retry-After until the window ends, without
hashing: at most `limit` passwords are ever verified per pair and window. A successful login
deletes the record (and with it the count). Keyed by email and address together, so
someone elsewhere cannot lock a user out; counted in PostgreSQL, so the limit holds across
workers and restarts.

Logins have two more counts, reserved in the same statement: failures per client address
across every email (`address_limit`: password spraying, one guess at many accounts, is
no longer free) and per account across every address (`account_limit`: a guessing botnet).
Past the account's limit the account is locked for the rest of the window, for its owner
too; a password reset (the mailed link) unlocks it (`unlock_account`).
"""

import hashlib
import logging
import math
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from sqlalchemy import ColumnElement, any_, case, delete, func, or_, select, update
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
    "address": ("failed logins from this address", {"credentials": ["too many failed attempts"]}),
    "account": (
        "failed logins for this account (reset the password to unlock it now)",
        {"credentials": ["account temporarily locked"]},
    ),
}


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def account_key(email: str) -> str:
    """The stored key of an account's failures across addresses (no email in the table)."""
    return _digest(f"account\n{email.lower()}")


@dataclass(frozen=True)
class LoginThrottle:
    """Per (email, client address) and window. `purpose="mail"` counts requests for mailed
    links (password reset, verification) in the same table, under keys of their own.
    `address_limit` and `account_limit` (logins) bound the failures per client address and
    per account in the same window."""

    client: str
    limit: int
    window: timedelta
    purpose: Literal["login", "mail"] = "login"
    address_limit: int | None = None
    account_limit: int | None = None

    def key(self, email: str) -> str:
        """The stored key: a hash, so the table holds no email and no address."""
        counted = email.lower() if self.purpose == "login" else f"{self.purpose}\n{email.lower()}"
        return _digest(f"{counted}\n{self.client}")

    def address_key(self) -> str:
        return _digest(f"address\n{self.purpose}\n{self.client}")

    def keys(self, email: str) -> list[str]:
        """Every stored key an attempt for `email` counts against."""
        return sorted(self._limits(email))

    def _limits(self, email: str) -> dict[str, tuple[int, str]]:
        """Each key this attempt counts against: its limit and what the 429 says."""
        limits: dict[str, tuple[int, str]] = {self.key(email): (self.limit, self.purpose)}
        if self.address_limit is not None:
            limits[self.address_key()] = (self.address_limit, "address")
        if self.account_limit is not None:
            limits[account_key(email)] = (self.account_limit, "account")
        return limits

    async def reserve(self, session: AsyncSession, email: str) -> int:
        """Count this attempt and COMMIT, before any hashing; 429 beyond the limit.

        The upsert locks the rows of its keys (always in the same order, so concurrent
        attempts cannot deadlock), so they are counted one after the other and exactly
        `limit` of them get through. One statement whatever the number of keys. Returns the
        attempt's number for the (email, address) pair.
        """
        limits = self._limits(email)
        now = func.clock_timestamp()
        expired = LoginFailures.window_started_at < now - self.window
        upsert = insert(LoginFailures).values(
            [{"key": key, "count": 1, "window_started_at": now} for key in self.keys(email)]
        )
        rows = (
            await session.execute(
                upsert.on_conflict_do_update(
                    index_elements=[LoginFailures.key],
                    set_={
                        "count": case((expired, 1), else_=LoginFailures.count + 1),
                        "window_started_at": case(
                            (expired, now), else_=LoginFailures.window_started_at
                        ),
                    },
                ).returning(
                    LoginFailures.key, LoginFailures.count, LoginFailures.window_started_at, now
                )
            )
        ).all()
        await session.commit()
        over = {
            limits[key][1]: max(1, math.ceil((started_at + self.window - at).total_seconds()))
            for key, count, started_at, at in rows
            if count > limits[key][0]
        }
        if over:
            # The account's lock says how to get out of it; otherwise the soonest to end.
            what = "account" if "account" in over else min(over, key=over.__getitem__)
            message, errors = _TOO_MANY[what]
            raise TooManyRequests(
                f"Too many {message}; try again in {over[what]} seconds.",
                errors,
                retry_after_seconds=over[what],
            )
        pair = self.key(email)
        attempt: int = next(count for key, count, _, _ in rows if key == pair)
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
        """A success: forget the pair's and the account's failures, and take this attempt
        off the address's count (committed with the request). One statement: the rows it
        empties are deleted, the address's is decremented.

        Its rows are locked first and in key order, as `reserve` locks them, and what to do
        with each is decided on the counts the lock returns (the latest, whereas the delete
        and the update would each judge the row as the statement's snapshot saw it): a
        concurrent login of the same account from the same address waits instead of
        deadlocking, and no attempt it reserved stays counted.
        """
        address = self.address_key()
        locked = (
            select(LoginFailures.key, LoginFailures.count)
            .where(LoginFailures.key.in_(self.keys(email)))
            .order_by(LoginFailures.key)
            .with_for_update()
            .cte("locked")
        )

        def locked_keys(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
            # ARRAY(...) is computed before the statement scans a row: all locks come first.
            chosen = select(locked.c.key).where(*conditions).scalar_subquery()
            return LoginFailures.key == any_(func.array(chosen))

        emptied = (
            delete(LoginFailures)
            .where(locked_keys(or_(locked.c.key != address, locked.c.count <= 1)))
            .cte("emptied")
        )
        await session.execute(
            update(LoginFailures)
            .where(locked_keys(locked.c.key == address, locked.c.count > 1))
            .values(count=LoginFailures.count - 1)
            .add_cte(emptied)
        )


async def unlock_account(session: AsyncSession, email: str) -> None:
    """The account's failures are forgotten: its owner proved the mailbox (a reset)."""
    await session.execute(delete(LoginFailures).where(LoginFailures.key == account_key(email)))
