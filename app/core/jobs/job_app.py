"""What a module that declares tasks uses: the procrastinate app, retries, resources.

Imported by the worker and by the modules that declare tasks, never by the API processes:
procrastinate and psycopg cost each API worker ~12 MB of memory for nothing, since the
API only writes job rows (`app.core.jobs.enqueue`) and never runs one.
"""

from collections.abc import Awaitable, Callable
from typing import Any

from procrastinate import App, JobContext, PsycopgConnector

from app.core.jobs._backoff import EXPONENTIAL_BACKOFF
from app.core.jobs._resources import JobResources, job_resources

# Connected only in the worker (worker.run_worker gives it its pool); tasks are declared on it.
job_app = App(connector=PsycopgConnector())

# Housekeeping (retention sweeps): a queue of its own, so a backlog of them never delays
# the jobs users wait for, and once an hour at a minute no other schedule is likely to use.
MAINTENANCE_QUEUE = "maintenance"
HOURLY = "23 * * * *"

Sweep = Callable[[JobContext, int], Awaitable[None]]


def hourly_maintenance(name: str) -> Callable[[Sweep], Any]:
    """Declare `async def task(context: JobContext, timestamp: int)` as an hourly job.

    procrastinate's periodic deferrer (in every worker) enqueues it once per hour in all
    (the periodic defers table is unique per tick); the queueing lock keeps at most one
    waiting, so a stopped queue does not pile them up.
    """

    def declare(sweep: Sweep) -> Any:
        task = job_app.task(
            name=name, queue=MAINTENANCE_QUEUE, queueing_lock=name, pass_context=True
        )(sweep)
        return job_app.periodic(cron=HOURLY, periodic_id=name)(task)

    return declare


__all__ = [
    "EXPONENTIAL_BACKOFF",
    "HOURLY",
    "MAINTENANCE_QUEUE",
    "JobContext",
    "JobResources",
    "hourly_maintenance",
    "job_app",
    "job_resources",
]
