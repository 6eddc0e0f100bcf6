"""`python -m app.cli.migrate`: `alembic upgrade heads` for production (the Compose `migrate`).

On top of Alembic's own command it
- refuses a bad configuration with one message listing every problem (no traceback);
- logs through the app's logging configuration (JSON lines when LOG_FORMAT=json);
- waits for the database: the first connection is retried with backoff for a short while
  (`--wait-seconds`, default 30), because a database container reported healthy may still
  be finishing its start, and a restart of the stack should not fail on that.
A database that stays unreachable, or refuses the credentials, ends it with status 1.
"""

import argparse
import asyncio
import logging
import time
from pathlib import Path

from alembic import command
from alembic.config import Config
from asyncpg.exceptions import CannotConnectNowError
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from app.core.config import settings_or_exit
from app.core.observability import configure_logging

REPO_ROOT = Path(__file__).resolve().parents[2]
FIRST_DELAY_SECONDS = 0.5
MAX_DELAY_SECONDS = 4.0
CONNECT_TIMEOUT_SECONDS = 5.0

logger = logging.getLogger(__name__)


class DatabaseUnreachableError(Exception):
    """The database did not accept a connection within the wait."""


def _is_transient(error: Exception) -> bool:
    """Not listening yet (refused, timeout, name not resolvable yet), or still starting up."""
    # SQLAlchemy wraps asyncpg's server errors twice: DBAPIError -> adapter error -> asyncpg's.
    if isinstance(error, DBAPIError) and error.orig is not None:
        return isinstance(error.orig.__cause__, CannotConnectNowError)
    return isinstance(error, OSError)  # TimeoutError and socket.gaierror included


async def _select_one(url: str, connect_timeout: float) -> None:
    engine = create_async_engine(url, poolclass=NullPool, connect_args={"timeout": connect_timeout})
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    finally:
        await engine.dispose()


async def wait_for_database(url: str, wait_seconds: float) -> int:
    """Connect once, retrying transient failures until `wait_seconds` have passed.

    Returns the number of attempts it took. Anything else (wrong password, unknown
    database) is raised at once: waiting would not fix it.
    """
    deadline = time.monotonic() + wait_seconds
    delay = FIRST_DELAY_SECONDS
    attempt = 0
    while True:
        attempt += 1
        connect_timeout = max(0.1, min(CONNECT_TIMEOUT_SECONDS, deadline - time.monotonic()))
        try:
            await _select_one(url, connect_timeout)
        except Exception as error:
            if not _is_transient(error):
                raise
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise DatabaseUnreachableError(
                    f"database not reachable after {attempt} attempts in {wait_seconds:g} s: "
                    f"{type(error).__name__}: {error}"
                ) from error
            delay = min(delay, remaining)
            logger.warning(
                "database not reachable yet (%s); retrying in %.1f s",
                type(error).__name__,
                delay,
                extra={"attempt": attempt, "retry_in_seconds": round(delay, 1)},
            )
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_DELAY_SECONDS)
        else:
            if attempt > 1:
                logger.info("database reachable after %d attempts", attempt)
            return attempt


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m app.cli.migrate", description=__doc__)
    parser.add_argument("--wait-seconds", type=float, default=30.0)
    args = parser.parse_args(argv)

    settings = settings_or_exit()
    configure_logging(settings)  # before Alembic's env.py, which then keeps it
    try:
        asyncio.run(wait_for_database(settings.database_url, args.wait_seconds))
    except DatabaseUnreachableError as error:
        logger.error("%s", error)  # noqa: TRY400 (the message says it all; no traceback)
        raise SystemExit(1) from None
    command.upgrade(Config(toml_file=str(REPO_ROOT / "pyproject.toml")), "heads")


if __name__ == "__main__":
    main()
