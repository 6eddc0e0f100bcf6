"""The audit log keeps `AUDIT_RETENTION_DAYS`: older events are swept, a batch at a time."""

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.db import sweep_old_rows
from app.identity.audit.models import AuditEvent

ACTION = "test.retention"


async def _events(session: AsyncSession, *ages: timedelta) -> None:
    for age in ages:
        session.add(AuditEvent(action=ACTION, occurred_at=func.now() - age))
    await session.flush()


async def test_events_past_the_retention_go_a_batch_at_a_time_and_younger_stay(
    session: AsyncSession, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    retention = timedelta(days=365)
    old = [retention + timedelta(days=n) for n in range(1, 6)]
    await _events(session, *old, retention - timedelta(days=1), timedelta(0))
    await session.commit()  # the test's savepoint: the sweep's sessions see the rows

    deleted = await sweep_old_rows(
        session_factory, AuditEvent.id, AuditEvent.occurred_at, retention, batch=2
    )

    left = await session.scalars(
        select(AuditEvent.occurred_at > func.now() - retention).where(AuditEvent.action == ACTION)
    )
    assert deleted == len(old)  # three transactions of at most two rows
    assert sorted(left) == [True, True]
