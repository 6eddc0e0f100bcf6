"""Enqueueing inside the caller's transaction.

Procrastinate's own `defer_async` would enqueue on a connection of its own (psycopg), which
commits whatever the request does: a job for a change that is then rolled back, or a
committed change whose job was never written. Here the job row is written by procrastinate's
own SQL function, `procrastinate_defer_jobs_v1` (its stable, versioned entry point), through
the request's SQLAlchemy session: one transaction, so job and data commit or vanish together.

The API processes therefore open no psycopg connection, do no per-request work for jobs,
and do not even import procrastinate: they name a job by its `JobKind` (name, queue,
priority, locks), which the task declared on `job_app` in the worker repeats.
"""

import json
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


class Enqueueable(Protocol):
    """What enqueueing needs to know of a job: a `JobKind`, or procrastinate's own `Task`."""

    @property
    def name(self) -> str: ...
    @property
    def queue(self) -> str: ...
    @property
    def priority(self) -> int: ...
    @property
    def lock(self) -> str | None: ...
    @property
    def queueing_lock(self) -> str | None: ...


@dataclass(frozen=True)
class JobKind:
    """A job as the enqueueing side names it; its task is declared with the same values:
    `@job_app.task(**KIND.task_options(), retry=...)`."""

    name: str
    queue: str
    priority: int = 0
    lock: str | None = None
    queueing_lock: str | None = None

    def task_options(self) -> dict[str, Any]:
        """These values as `job_app.task()` takes them."""
        return asdict(self)


_DEFER = text(
    "SELECT unnest(procrastinate_defer_jobs_v1(ARRAY[ROW("
    "CAST(:queue AS varchar), CAST(:task AS varchar), CAST(:priority AS integer), "
    "CAST(:lock AS text), CAST(:queueing_lock AS text), CAST(:args AS jsonb), "
    "CAST(NULL AS timestamptz))::procrastinate_job_to_defer_v1]))"
)


async def enqueue(session: AsyncSession, task: Enqueueable, **args: Any) -> int:
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
