"""Requests counted per key and fixed window, in one statement.

The upsert creates the key's row or, in the same window, adds one; a new window starts it
again at one. It returns the count and the seconds left in the window, from PostgreSQL's
clock, so every worker and instance agrees on the windows. Concurrent requests for one key
are counted one after the other (the row lock), never lost. Keys are hashes: no user id or
address is stored. Rows of past windows are deleted now and then (`SWEEP_ONE_IN`).
"""

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base

# About one request in this many also deletes a batch of expired rows: the table stays
# near the number of keys active in a window, at the cost of a rare second statement.
SWEEP_ONE_IN = 1000
SWEEP_BATCH = 500


class RateLimitCounter(Base):
    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    count: Mapped[int] = mapped_column(Integer)


_COUNT = text(
    "WITH clock AS (SELECT extract(epoch FROM clock_timestamp()) AS at, CAST(:window AS int) AS w)"
    " INSERT INTO rate_limit_counters AS counter (key, window_started_at, count)"
    " SELECT :key, to_timestamp(floor(at / w) * w), 1 FROM clock"
    " ON CONFLICT (key) DO UPDATE SET"
    " count = CASE WHEN counter.window_started_at = excluded.window_started_at"
    " THEN counter.count + 1 ELSE 1 END,"
    " window_started_at = excluded.window_started_at"
    " RETURNING count, (SELECT CAST(ceil("
    "extract(epoch FROM counter.window_started_at) + w - at) AS int) FROM clock)"
)
_SWEEP = text(
    "DELETE FROM rate_limit_counters WHERE key IN (SELECT key FROM rate_limit_counters"
    " WHERE window_started_at < now() - make_interval(secs => CAST(:window AS int)) LIMIT :batch)"
)


async def count_request(session: AsyncSession, key: str, window_seconds: int) -> tuple[int, int]:
    """Count one request for `key`: (requests in this window, seconds until it resets)."""
    row = (await session.execute(_COUNT, {"key": key, "window": window_seconds})).one()
    return int(row[0]), max(1, int(row[1]))


async def sweep(session: AsyncSession, window_seconds: int) -> None:
    await session.execute(_SWEEP, {"window": window_seconds, "batch": SWEEP_BATCH})
