"""Tasks the job tests run (imported by the in-process worker and by `--import` in a subprocess)."""

import asyncio

from app.core.jobs.job_app import EXPONENTIAL_BACKOFF, job_app

QUEUE = "test_jobs"


@job_app.task(name="tests.succeed", queue=QUEUE)
async def succeed(note: str) -> None:
    assert note


@job_app.task(name="tests.always_fail", queue=QUEUE, retry=EXPONENTIAL_BACKOFF)
async def always_fail() -> None:
    raise RuntimeError("this job always fails")


@job_app.task(name="tests.take_a_while", queue=QUEUE)
async def take_a_while(seconds: float) -> None:
    await asyncio.sleep(seconds)
