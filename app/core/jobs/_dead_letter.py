"""The dead letter: jobs that failed their last attempt, listed and re-queued.

They stay in procrastinate's `failed` state (nothing is deleted), with their arguments and
attempt count; `python -m app.cli.jobs failed` lists them, `... retry ID` queues one again
from its first attempt (procrastinate's triggers record it as a `retried` event).
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

_FAILED = text(
    "SELECT j.id, j.task_name, j.queue_name, j.args, j.attempts, "
    "(SELECT max(e.at) FROM procrastinate_events e WHERE e.job_id = j.id) AS failed_at "
    "FROM procrastinate_jobs j WHERE j.status = 'failed' ORDER BY j.id DESC LIMIT :limit"
)
_RETRY = text(
    "UPDATE procrastinate_jobs SET status = 'todo', attempts = 0, scheduled_at = NULL "
    "WHERE id = :id AND status = 'failed' RETURNING id"
)


@dataclass(frozen=True)
class FailedJob:
    id: int
    task_name: str
    queue_name: str
    args: dict[str, Any]
    attempts: int
    failed_at: object


async def failed_jobs(session: AsyncSession, limit: int = 100) -> list[FailedJob]:
    rows = await session.execute(_FAILED, {"limit": limit})
    return [FailedJob(*row) for row in rows]


async def retry_failed_job(session: AsyncSession, job_id: int) -> bool:
    """Queue a dead job again from its first attempt; False when no failed job has that id."""
    return await session.scalar(_RETRY, {"id": job_id}) is not None
