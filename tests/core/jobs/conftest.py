"""Job tests commit for real (a worker only sees committed jobs) and clean up their queue."""

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from tests.core.jobs.sample_tasks import QUEUE


@pytest.fixture
async def committing_sessions(
    engine: AsyncEngine,
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    yield async_sessionmaker(engine, expire_on_commit=False)
    async with engine.begin() as connection:
        await connection.execute(
            text("DELETE FROM procrastinate_jobs WHERE queue_name = :queue"), {"queue": QUEUE}
        )


async def job_status(engine: AsyncEngine, job_id: int) -> str | None:
    async with engine.connect() as connection:
        status = await connection.scalar(
            text("SELECT status::text FROM procrastinate_jobs WHERE id = :id"), {"id": job_id}
        )
        await connection.rollback()
    return None if status is None else str(status)
