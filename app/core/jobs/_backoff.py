"""Retries with exponential backoff, then the dead letter.

A failed attempt is retried after `JOB_RETRY_BASE_SECONDS * 2 ** (attempt - 1)` (capped at
`JOB_RETRY_MAX_SECONDS`); after `JOB_MAX_ATTEMPTS` attempts the job stays in procrastinate's
`failed` state, which is the dead letter (`app.core.jobs._dead_letter` lists and re-queues).
Read from the running worker's settings, so a deployment tunes it without code changes.
"""

from procrastinate import BaseRetryStrategy, RetryDecision
from procrastinate.jobs import Job

from app.core.jobs._resources import job_resources


class ExponentialBackoff(BaseRetryStrategy):
    def get_retry_decision(self, *, exception: BaseException, job: Job) -> RetryDecision | None:
        settings = job_resources().settings
        attempts = job.attempts + 1  # this one included
        if attempts >= settings.job_max_attempts:
            return None
        wait = min(
            settings.job_retry_base_seconds * 2 ** (attempts - 1),
            settings.job_retry_max_seconds,
        )
        return RetryDecision(retry_in={"seconds": wait})


EXPONENTIAL_BACKOFF = ExponentialBackoff()
