"""Deleting expired rows a batch at a time, beside the writes that create such rows.

Tables of short-lived rows (sessions, mailed link tokens) need no cleanup job: each write
that adds a row also deletes a bounded batch of expired ones, so the table stays near the
number of live rows at the cost of one more statement in that write's transaction.
"""

from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute


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
