"""The worker: runs the jobs on procrastinate's queue until told to stop.

SIGTERM or SIGINT (procrastinate's handlers) stops fetching new jobs and lets the running
ones finish within `JOB_SHUTDOWN_TIMEOUT_SECONDS`; jobs still running then are cancelled
and, as they did not finish, retried later (by this strategy, or after a stalled worker's
heartbeat expires). New jobs are announced by LISTEN/NOTIFY and polled every few seconds
as a fallback. LISTEN and procrastinate's locks need a session that lives across
transactions: the worker connects to PostgreSQL directly, never through PgBouncer in
transaction mode (docs/background-jobs.md).
"""

import asyncio
import logging
from collections.abc import Iterable

from procrastinate import PsycopgConnector
from sqlalchemy.engine import make_url

from app.core.config import Settings
from app.core.jobs import _finished_jobs  # noqa: F401 (declares its task)
from app.core.jobs._resources import provide_job_resources
from app.core.jobs._stalled import keep_requeueing_stalled_jobs, requeue_stalled_jobs
from app.core.jobs.job_app import job_app

logger = logging.getLogger(__name__)


class WorkerMisconfigured(RuntimeError):
    """The worker cannot run with this configuration."""


def psycopg_conninfo(database_url: str) -> str:
    """The app's SQLAlchemy URL as a libpq URL (psycopg)."""
    url = make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


async def run_worker(
    settings: Settings,
    *,
    queues: Iterable[str] | None = None,
    wait: bool = True,
    install_signal_handlers: bool = True,
    poll_seconds: float = 5.0,
) -> None:
    if settings.db_pooler != "none":
        raise WorkerMisconfigured(
            "the job worker needs a direct PostgreSQL connection (LISTEN/NOTIFY, locks): "
            "set DATABASE_URL to the database itself and DB_POOLER=none for the worker"
        )
    connector = PsycopgConnector(
        conninfo=psycopg_conninfo(settings.database_url),
        min_size=1,
        max_size=settings.job_worker_concurrency + 2,  # + LISTEN and the heartbeat
        kwargs={"application_name": f"{settings.app_name} worker"},
    )
    # The app itself, connected for the run: its tasks (and the periodic deferrer, which
    # enqueues through a task's app) point at it. A copy (`with_connector`) leaves them on an
    # app that is never opened, and the deferrer stops the worker (AppNotOpen).
    with job_app.replace_connector(connector) as app:
        async with provide_job_resources(settings), app.open_async():
            await requeue_stalled_jobs(app)
            watch = asyncio.create_task(keep_requeueing_stalled_jobs(app))
            logger.info(
                "job worker started", extra={"concurrency": settings.job_worker_concurrency}
            )
            try:
                await app.run_worker_async(
                    # None: every queue (procrastinate's default; an empty list would mean none).
                    queues=None if queues is None else list(queues),  # type: ignore[arg-type]
                    concurrency=settings.job_worker_concurrency,
                    wait=wait,
                    shutdown_graceful_timeout=settings.job_shutdown_timeout_seconds,
                    install_signal_handlers=install_signal_handlers,
                    listen_notify=True,
                    # The fallback for what NOTIFY does not announce: retries coming due.
                    fetch_job_polling_interval=poll_seconds,
                )
            finally:
                watch.cancel()
    logger.info("job worker stopped")
