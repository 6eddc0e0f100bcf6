"""The job app, and enqueueing inside the caller's transaction.

Procrastinate's own `defer_async` would enqueue on a connection of its own (psycopg), which
commits whatever the request does: a job for a change that is then rolled back, or a
committed change whose job was never written. Here the job row is written by procrastinate's
own SQL function, `procrastinate_defer_jobs_v1` (its stable, versioned entry point), through
the request's SQLAlchemy session: one transaction, so job and data commit or vanish together.
The API processes therefore open no psycopg connection and do no per-request work for jobs.
"""

import json
from typing import Any

from procrastinate import App, PsycopgConnector
from procrastinate.tasks import Task
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

# Connected only in the worker (worker.run_worker gives it its pool); tasks are declared on it.
job_app = App(connector=PsycopgConnector())

_DEFER = text(
    "SELECT unnest(procrastinate_defer_jobs_v1(ARRAY[ROW("
    "CAST(:queue AS varchar), CAST(:task AS varchar), CAST(:priority AS integer), "
    "CAST(:lock AS text), CAST(:queueing_lock AS text), CAST(:args AS jsonb), "
    "CAST(NULL AS timestamptz))::procrastinate_job_to_defer_v1]))"
)


async def enqueue(session: AsyncSession, task: Task[Any, Any, Any], **args: Any) -> int:
    """Write a job for `task` in the session's transaction; returns the job id.

    The arguments must be JSON values (ids, not ORM objects: the job loads what it needs
    with its own session, so it sees the committed state).
    """
    job_id = await session.scalar(
        _DEFER,
        {
            "queue": task.queue,
            "task": task.name,
            "priority": task.priority,
            "lock": task.lock,
            "queueing_lock": task.queueing_lock,
            "args": json.dumps(args),
        },
    )
    assert job_id is not None  # noqa: S101 (the function returns one id per job it is given)
    return int(job_id)
