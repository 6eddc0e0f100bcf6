"""The job queue's own retention: finished jobs deleted after a while, hourly.

Every job leaves its row (and its events) in `procrastinate_jobs` when it ends; a busy
service would keep them all. Succeeded, cancelled and aborted jobs go after
`JOB_RETENTION_HOURS`; failed ones, the dead letter an operator works through
(`failed_jobs`, `retry_failed_job`), after `JOB_FAILED_RETENTION_DAYS`. procrastinate's
own `delete_old_jobs` does the deleting (by the time each job ended).

Imported by the worker (app/core/jobs/worker.py), so every service has it.
"""

import logging

from app.core.jobs.job_app import JobContext, hourly_maintenance, job_resources

logger = logging.getLogger(__name__)


@hourly_maintenance("platform.delete_finished_jobs")
async def delete_finished_jobs(context: JobContext, timestamp: int) -> None:
    settings = job_resources().settings
    jobs = context.app.job_manager  # the worker's app, connected (job_app is not)
    await jobs.delete_old_jobs(
        nb_hours=settings.job_retention_hours, include_cancelled=True, include_aborted=True
    )
    await jobs.delete_old_jobs(
        nb_hours=settings.job_failed_retention_days * 24, include_failed=True
    )
    logger.info("finished jobs past their retention deleted")
