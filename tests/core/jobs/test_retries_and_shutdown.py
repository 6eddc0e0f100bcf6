"""Failures: exponential backoff, the dead letter, and a graceful stop on SIGTERM."""

import asyncio
import contextlib
import os
import signal
import sys
from datetime import UTC, datetime, timedelta

from procrastinate.jobs import Job
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.core.config import Settings
from app.core.jobs import enqueue, failed_jobs, retry_failed_job
from app.core.jobs._resources import provide_job_resources
from app.core.jobs.job_app import EXPONENTIAL_BACKOFF
from app.core.jobs.worker import run_worker
from tests.core.jobs.conftest import job_status
from tests.core.jobs.sample_tasks import QUEUE, always_fail, take_a_while
from tests.support.probes import REPO_ROOT


async def _until_status(engine: AsyncEngine, job_id: int, wanted: str, within: float) -> None:
    async with asyncio.timeout(within):
        while await job_status(engine, job_id) != wanted:  # noqa: ASYNC110 (another process)
            await asyncio.sleep(0.05)


async def test_waits_double_per_attempt_up_to_the_cap(settings: Settings) -> None:
    tuned = settings.model_copy(
        update={"job_max_attempts": 6, "job_retry_base_seconds": 2.0, "job_retry_max_seconds": 10}
    )
    async with provide_job_resources(tuned):
        waits: list[int | None] = []
        for attempts in range(6):
            job = Job(id=1, queue="q", lock=None, queueing_lock=None, task_name="t",
                      attempts=attempts)  # fmt: skip
            decision = EXPONENTIAL_BACKOFF.get_retry_decision(exception=ValueError(), job=job)
            if decision is None:
                waits.append(None)
                continue
            assert decision.retry_at is not None
            waits.append(round((decision.retry_at - datetime.now(UTC)).total_seconds()))
    assert waits == [2, 4, 8, 10, 10, None]


async def test_a_failing_job_is_retried_then_dead_lettered_then_requeued(
    settings: Settings,
    engine: AsyncEngine,
    committing_sessions: async_sessionmaker[AsyncSession],
) -> None:
    quick = settings.model_copy(update={"job_max_attempts": 3, "job_retry_base_seconds": 0.1})
    async with committing_sessions() as session, session.begin():
        job_id = await enqueue(session, always_fail)
    worker = asyncio.create_task(
        run_worker(quick, queues=[QUEUE], install_signal_handlers=False, poll_seconds=0.05)
    )
    try:
        await _until_status(engine, job_id, "failed", within=60)
    finally:
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker

    async with engine.connect() as connection:
        events = (
            await connection.execute(
                text(
                    "SELECT type::text, at FROM procrastinate_events WHERE job_id = :id "
                    "AND type IN ('started', 'deferred_for_retry', 'failed') ORDER BY id"
                ),
                {"id": job_id},
            )
        ).all()
        await connection.rollback()
    assert [event for event, _ in events] == [
        "started", "deferred_for_retry", "started", "deferred_for_retry", "started", "failed",
    ]  # fmt: skip
    # Each retry started no sooner than its backoff (0.1 s, then 0.2 s) allowed.
    gaps = [events[i + 1][1] - events[i][1] for i in (1, 3)]
    assert gaps[0] >= timedelta(seconds=0.1)
    assert gaps[1] >= timedelta(seconds=0.2)

    async with committing_sessions() as session, session.begin():
        dead = [job for job in await failed_jobs(session) if job.id == job_id]
        assert len(dead) == 1
        assert (dead[0].task_name, dead[0].attempts) == ("tests.always_fail", 3)
        assert await retry_failed_job(session, job_id)
        assert not await retry_failed_job(session, job_id)  # no longer failed
    assert await job_status(engine, job_id) == "todo"


async def test_sigterm_lets_the_running_job_finish(
    engine: AsyncEngine, committing_sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with committing_sessions() as session, session.begin():
        job_id = await enqueue(session, take_a_while, seconds=1.5)
    worker = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "app.cli.worker", "--import", "tests.core.jobs.sample_tasks",
        "--queue", QUEUE, cwd=REPO_ROOT, env={**os.environ, "LOG_FORMAT": "json"},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    try:
        await _until_status(engine, job_id, "doing", within=60)
        worker.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(worker.communicate(), 60)
    finally:
        if worker.returncode is None:
            worker.kill()
            await worker.wait()
    assert worker.returncode == 0, output.decode()
    assert await job_status(engine, job_id) == "succeeded"
    assert b"job worker stopped" in output
