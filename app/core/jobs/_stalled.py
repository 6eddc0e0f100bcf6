"""Jobs whose worker died (killed, out of memory, host lost) are queued again.

Such a job stays `doing`; its worker's heartbeat (every 10 s) stops. Each worker looks,
when it starts and then every `STALLED_CHECK_SECONDS`, for `doing` jobs whose worker has
not beaten for 30 s (procrastinate's `get_stalled_jobs`) and queues them again, counting
the lost run as an attempt. A job may therefore run more than once: handlers must be
idempotent (a webhook delivery carries its id, so receivers can drop repeats).
"""

import asyncio
import logging

from procrastinate import App
from procrastinate.exceptions import ConnectorException

STALLED_CHECK_SECONDS = 60.0

logger = logging.getLogger(__name__)


async def requeue_stalled_jobs(app: App) -> int:
    requeued = 0
    for job in await app.job_manager.get_stalled_jobs():
        try:
            await app.job_manager.retry_job(job)
        except ConnectorException:  # another worker got to it first
            continue
        requeued += 1
        logger.warning("requeued a job whose worker stopped beating", extra={"job_id": job.id})
    return requeued


async def keep_requeueing_stalled_jobs(app: App) -> None:
    while True:
        await asyncio.sleep(STALLED_CHECK_SECONDS)
        try:
            await requeue_stalled_jobs(app)
        except Exception:
            logger.exception("looking for stalled jobs failed; trying again later")
