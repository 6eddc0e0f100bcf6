"""Deleting rows past their time a batch at a time: expired ones, and old ones.

Tables of short-lived rows (sessions, mailed link tokens) need no cleanup job: each write
that adds a row also deletes a bounded batch of expired ones, so the table stays near the
number of live rows at the cost of one more statement in that write's transaction.

Logs that are kept for a while (the audit log, webhook deliveries) are swept by a
periodic job instead (`sweep_old_rows`): nothing expires them, they are old.
"""

from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import InstrumentedAttribute

# Rows per transaction of a sweep: short locks, and WAL written in small steps.
SWEEP_BATCH = 1000


async def delete_expired(
    session: AsyncSession,
    key: InstrumentedAttribute[Any],
    expires_at: InstrumentedAttribute[Any],
    batch: int,
) -> None:
    """Delete up to `batch` rows of `key`'s table whose `expires_at` has passed.

    Rows another transaction holds are skipped (SKIP LOCKED): concurrent writes never wait
    on each other's sweep, and what one leaves the next one takes.
    """
    # A materialized CTE: the LIMIT is applied once. As `IN (subquery)` the planner may run
    # the locking subquery as a semi-join more than once, deleting more than one batch.
    expired = (
        select(key)
        .where(expires_at < func.now())
        .limit(batch)
        .with_for_update(skip_locked=True)
        .cte("expired")
        .prefix_with("MATERIALIZED")
    )
    sweep = delete(key.class_).where(key.in_(select(expired.c[key.key])))
    await session.execute(sweep.execution_options(synchronize_session=False))


async def sweep_old_rows(
    sessions: async_sessionmaker[AsyncSession],
    key: InstrumentedAttribute[Any],
    timestamp: InstrumentedAttribute[Any],
    older_than: timedelta,
    batch: int = SWEEP_BATCH,
) -> int:
    """Delete every row of `key`'s table whose `timestamp` is more than `older_than` ago,
    `batch` rows per transaction; the number deleted.

    `key` must grow with `timestamp` (an identity column of an append-only log): the
    oldest rows are the lowest keys, found by the primary key's index without an index on
    the timestamp, and the sweep stops at the first row young enough to keep.
    """
    total = 0
    while True:
        oldest = (
            select(key)
            .where(timestamp < func.now() - older_than)
            .order_by(key)
            .limit(batch)
            .with_for_update(skip_locked=True)
            .cte("oldest")
            .prefix_with("MATERIALIZED")
        )
        sweep = delete(key.class_).where(key.in_(select(oldest.c[key.key])))
        async with sessions() as session, session.begin():
            result = await session.execute(sweep.execution_options(synchronize_session=False))
        deleted: int = result.rowcount  # type: ignore[attr-defined]
        total += deleted
        if deleted < batch:
            return total
