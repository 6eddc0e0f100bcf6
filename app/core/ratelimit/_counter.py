"""Requests counted per key and fixed window, in one statement.

The upsert creates the key's row or, in the same window, adds one; a new window starts it
again at one. It returns the count and the seconds left in the window, from PostgreSQL's
clock, so every worker and instance agrees on the windows. Concurrent requests for one key
are counted one after the other (the row lock), never lost. Keys are hashes: no user id or
address is stored. Rows of past windows are deleted now and then (`SWEEP_ONE_IN`).

The count is a `RequestCount`: a source to select from and its two columns, so a statement
a request sends anyway can carry it (the authentication read of a token's writes does,
app/deps.py): one round trip for both. Sent as a driver read (app/core/db/_driver_reads.py):
should the driver fail and the statement then succeed the ordinary way, that request is
counted twice, in the caller's disfavour by one, which a quota can afford.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    DateTime,
    FromClause,
    Integer,
    String,
    bindparam,
    case,
    cast,
    extract,
    func,
    literal_column,
    select,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, DriverRead, table_of

# About one request in this many also deletes a batch of expired rows: the table stays
# near the number of keys active in a window, at the cost of a rare second statement.
SWEEP_ONE_IN = 1000
SWEEP_BATCH = 500


class RateLimitCounter(Base):
    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    count: Mapped[int] = mapped_column(Integer)


@dataclass(frozen=True)
class RequestCount:
    """Counting one request for the key bound to `rate_key` in windows of `rate_window`
    seconds, as part of a select: select `count` and `reset_seconds` from `source`."""

    source: FromClause
    count: ColumnElement[int]
    reset_seconds: ColumnElement[int]

    @staticmethod
    def parameters(key: str, window_seconds: int) -> Mapping[str, Any]:
        return {"rate_key": key, "rate_window": window_seconds}


def _request_count() -> RequestCount:
    # Constants are literal SQL, not binds: a driver read binds only named parameters.
    one = literal_column("1", Integer)
    clock = select(
        extract("epoch", func.clock_timestamp()).label("at"),
        cast(bindparam("rate_window", type_=Integer), Integer).label("w"),
    ).cte("clock")
    table = table_of(RateLimitCounter)
    window_start = func.to_timestamp(func.floor(clock.c.at / clock.c.w) * clock.c.w)
    upsert = insert(table).from_select(
        ["key", "window_started_at", "count"],
        select(bindparam("rate_key", type_=String), window_start, one).select_from(clock),
    )
    counted = (
        upsert.on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "count": case(
                    (
                        table.c.window_started_at == upsert.excluded.window_started_at,
                        table.c.count + one,
                    ),
                    else_=one,
                ),
                "window_started_at": upsert.excluded.window_started_at,
            },
        )
        .returning(table.c.count, table.c.window_started_at)
        .cte("counted")
    )
    reset = func.ceil(extract("epoch", counted.c.window_started_at) + clock.c.w - clock.c.at)
    return RequestCount(
        source=counted.join(clock, true()),
        count=counted.c.count,
        reset_seconds=func.greatest(cast(reset, Integer), one),
    )


REQUEST_COUNT = _request_count()
_COUNT = DriverRead(
    select(
        REQUEST_COUNT.count.label("count"), REQUEST_COUNT.reset_seconds.label("reset")
    ).select_from(REQUEST_COUNT.source)
)
_SWEEP = text(
    "DELETE FROM rate_limit_counters WHERE key IN (SELECT key FROM rate_limit_counters"
    " WHERE window_started_at < now() - make_interval(secs => CAST(:window AS int)) LIMIT :batch)"
)


async def count_request(session: AsyncSession, key: str, window_seconds: int) -> tuple[int, int]:
    """Count one request for `key`: (requests in this window, seconds until it resets)."""
    record = await _COUNT.first(session, RequestCount.parameters(key, window_seconds))
    assert record is not None  # noqa: S101 (the upsert returns its row)
    return int(record["count"]), int(record["reset"])


async def sweep(session: AsyncSession, window_seconds: int) -> None:
    await session.execute(_SWEEP, {"window": window_seconds, "batch": SWEEP_BATCH})
