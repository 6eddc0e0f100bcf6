"""Enqueue joins the caller's transaction; a real worker runs what was committed."""

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.core.config import Settings
from app.core.jobs import enqueue
from app.core.jobs.worker import WorkerMisconfigured, psycopg_conninfo, run_worker
from tests.core.jobs.conftest import job_status
from tests.core.jobs.sample_tasks import QUEUE, succeed


async def test_a_job_enqueued_in_a_rolled_back_transaction_does_not_exist(
    engine: AsyncEngine, committing_sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with committing_sessions() as session:
        await session.begin()
        job_id = await enqueue(session, succeed, note="rolled back")
        await session.rollback()
    assert await job_status(engine, job_id) is None


async def test_a_committed_job_runs_in_a_real_worker(
    settings: Settings,
    engine: AsyncEngine,
    committing_sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with committing_sessions() as session, session.begin():
        job_id = await enqueue(session, succeed, note="committed")
    assert await job_status(engine, job_id) == "todo"

    # wait=False: the worker stops once the queue is empty.
    await asyncio.wait_for(
        run_worker(settings, queues=[QUEUE], wait=False, install_signal_handlers=False), 60
    )
    assert await job_status(engine, job_id) == "succeeded"


async def test_the_worker_refuses_pgbouncer(settings: Settings) -> None:
    behind_pgbouncer = settings.model_copy(update={"db_pooler": "pgbouncer"})
    with pytest.raises(WorkerMisconfigured, match="direct PostgreSQL connection"):
        await run_worker(behind_pgbouncer, wait=False, install_signal_handlers=False)


def test_the_worker_connects_with_libpq_urls() -> None:
    url = "postgresql+asyncpg://user:pw@db:5432/conduit"
    assert psycopg_conninfo(url) == "postgresql://user:pw@db:5432/conduit"


async def test_a_job_whose_worker_died_is_run_again(
    settings: Settings,
    engine: AsyncEngine,
    committing_sessions: async_sessionmaker[AsyncSession],
) -> None:
    # What a killed worker leaves: its last heartbeat long ago, its job still `doing`.
    async with committing_sessions() as session, session.begin():
        dead_worker = await session.scalar(
            text(
                "INSERT INTO procrastinate_workers (last_heartbeat) "
                "VALUES (now() - interval '1 hour') RETURNING id"
            )
        )
        job_id = await session.scalar(
            text(
                "INSERT INTO procrastinate_jobs (queue_name, task_name, args, status, worker_id) "
                "VALUES (:queue, 'tests.succeed', CAST(:args AS jsonb), 'doing', :worker) "
                "RETURNING id"
            ),
            {"queue": QUEUE, "worker": dead_worker, "args": '{"note": "again"}'},
        )
    assert job_id is not None
    await asyncio.wait_for(
        run_worker(settings, queues=[QUEUE], wait=False, install_signal_handlers=False), 60
    )
    assert await job_status(engine, int(job_id)) == "succeeded"
