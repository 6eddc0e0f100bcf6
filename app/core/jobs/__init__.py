"""Durable background jobs on PostgreSQL (procrastinate): the platform side.

- `JobKind` names a job (task name, queue, priority, lock) and `enqueue(session, kind,
  **args)` writes it in the caller's transaction: a rolled-back change leaves no job, a
  committed one never loses it. Neither imports procrastinate, so the API does not.
- `job_app` (module `app.core.jobs.job_app`): the procrastinate app every task is
  declared on; `worker` (module `app.core.jobs.worker`): the worker process. Both import
  procrastinate and are imported by the worker and task modules only.
- a task retries with exponential waits (`job_app.EXPONENTIAL_BACKOFF`), then lands in
  the dead letter, which `failed_jobs` lists and `retry_failed_job` re-queues; a running
  task reaches settings, sessions and the HTTP client through `job_app.job_resources()`.

Nothing here imports a feature: features name their job modules in app/features.py.
"""

from app.core.jobs._dead_letter import FailedJob, failed_jobs, retry_failed_job
from app.core.jobs._queue import JobKind, enqueue

__all__ = [
    "FailedJob",
    "JobKind",
    "enqueue",
    "failed_jobs",
    "retry_failed_job",
]
