"""Housekeeping jobs: declared hourly on their own queue, run by a real worker.

The finished-jobs sweep is run here the way the worker's periodic deferrer runs it: a job
on the maintenance queue, picked up by `run_worker`.
"""

import asyncio
import importlib

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.core.config import Settings
from app.core.jobs import enqueue
from app.core.jobs.job_app import HOURLY, MAINTENANCE_QUEUE, job_app
from app.core.jobs.worker import run_worker
from app.features import JOB_MODULES
from tests.core.jobs.conftest import job_status
from tests.core.jobs.sample_tasks import QUEUE

SWEEP = "platform.delete_finished_jobs"


def test_every_sweep_is_declared_hourly_on_the_maintenance_queue() -> None:
    for module in JOB_MODULES:
        importlib.import_module(module)
    periodic = {key[0]: task for key, task in job_app.periodic_registry.periodic_tasks.items()}

    assert SWEEP in periodic  # the platform's own, whatever the features
    if "app.identity.audit.jobs" in JOB_MODULES:
        assert "identity.delete_old_audit_events" in periodic
    for name, declared in periodic.items():
        assert declared.cron == HOURLY, name
        assert declared.task.queue == MAINTENANCE_QUEUE, name
        assert declared.task.queueing_lock == name, name


async def _finished_job(
    sessions: async_sessionmaker[AsyncSession], status: str, hours_ago: int
) -> int:
    async with sessions() as session, session.begin():
        job_id: int = await session.scalar(
            text(
                "INSERT INTO procrastinate_jobs (queue_name, task_name, args, status) "
                "VALUES (:queue, 'tests.succeed', '{}', CAST(:status AS procrastinate_job_status))"
                " RETURNING id"
            ),
            {"queue": QUEUE, "status": status},
        )
        await session.execute(
            text(
                "INSERT INTO procrastinate_events (job_id, type, at) VALUES "
                "(:id, CAST(:status AS procrastinate_job_event_type), now())"
            ),
            {"id": job_id, "status": status},
        )
        await session.execute(
            text(
                "UPDATE procrastinate_events SET at = now() - make_interval(hours => :hours) "
                "WHERE job_id = :id"
            ),
            {"id": job_id, "hours": hours_ago},
        )
    return job_id


async def test_finished_jobs_go_after_their_retention_and_failed_ones_stay_longer(
    settings: Settings,
    engine: AsyncEngine,
    committing_sessions: async_sessionmaker[AsyncSession],
) -> None:
    week = settings.job_retention_hours
    old = await _finished_job(committing_sessions, "succeeded", week + 1)
    recent = await _finished_job(committing_sessions, "succeeded", week - 1)
    failed = await _finished_job(committing_sessions, "failed", week + 1)
    failed_long_ago = await _finished_job(
        committing_sessions, "failed", settings.job_failed_retention_days * 24 + 1
    )
    async with committing_sessions() as session, session.begin():
        # What the periodic deferrer does each hour; one may wait already (queueing lock).
        await session.execute(
            text("DELETE FROM procrastinate_jobs WHERE queue_name = :q AND status = 'todo'"),
            {"q": MAINTENANCE_QUEUE},
        )
        await enqueue(session, job_app.tasks[SWEEP], timestamp=0)

    await asyncio.wait_for(
        run_worker(settings, queues=[MAINTENANCE_QUEUE], wait=False, install_signal_handlers=False),
        60,
    )

    assert await job_status(engine, old) is None
    assert await job_status(engine, recent) == "succeeded"
    assert await job_status(engine, failed) == "failed"  # the dead letter keeps longer
    assert await job_status(engine, failed_long_ago) is None
