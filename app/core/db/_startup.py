"""Start-up checks of the database a worker is about to serve from (one query, per worker).

A worker refuses to start only over a configuration that can never be right: more
connections than PostgreSQL accepts, or a statement timeout that is not in effect (the
sign of a pooler the settings do not declare, or of a role the pooler's setup missed).
An unreachable database is the readiness probe's business, not a reason to crash.
"""

import logging
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.config import Settings

logger = logging.getLogger(__name__)

_FACTS = text(
    "SELECT current_setting('max_connections')::int AS max_connections,"
    " current_setting('superuser_reserved_connections')::int AS reserved,"
    " (SELECT setting::int FROM pg_settings WHERE name = 'statement_timeout')"
    " AS statement_timeout_ms,"
    " current_user AS role, current_database() AS database"
)


class DatabaseMisconfigured(RuntimeError):
    """The settings and the database (or the pooler in front of it) do not fit together."""


class ConnectionBudgetExceeded(DatabaseMisconfigured):
    """The workers' pools could open more connections than the database accepts."""


@dataclass(frozen=True)
class _ServerFacts:
    max_connections: int
    reserved: int
    statement_timeout_ms: int
    role: str
    database: str


async def check_database_at_startup(engine: AsyncEngine, settings: Settings) -> None:
    try:
        async with engine.connect() as connection:
            row = (await connection.execute(_FACTS)).one()
    except (OSError, SQLAlchemyError) as error:
        if "unsupported startup parameter" in str(error):
            _refuse(
                "The database refused a startup parameter: DATABASE_URL points at a "
                "connection pooler (PgBouncer in transaction mode?). Set DB_POOLER=pgbouncer."
            )
        logger.warning("could not check the database at start-up: %s", error)
        return
    facts = _ServerFacts(**row._mapping)
    _check_statement_timeout(facts, settings)
    if settings.db_pooler == "none":
        _check_connection_budget(facts, settings)
    else:
        logger.info(
            "DB_POOLER=%s: up to %d connections to the pooler from this instance "
            "(WEB_CONCURRENCY x pool); the pooler's pool, not this, bounds PostgreSQL's",
            settings.db_pooler,
            settings.web_concurrency * (settings.db_pool_size + settings.db_max_overflow),
        )


def _refuse(message: str, error: type[DatabaseMisconfigured] = DatabaseMisconfigured) -> None:
    logger.error(message)
    raise error(message)


def _check_statement_timeout(facts: _ServerFacts, settings: Settings) -> None:
    wanted = settings.db_statement_timeout_ms
    if not wanted or facts.statement_timeout_ms == wanted:
        return
    found = f"DB_STATEMENT_TIMEOUT_MS is {wanted}, statements run with {facts.statement_timeout_ms}"
    if settings.db_pooler == "none":
        _refuse(
            f"{found}: something between the app and PostgreSQL dropped the setting sent at "
            "connect, such as PgBouncer. If DATABASE_URL points at PgBouncer in transaction "
            "mode, set DB_POOLER=pgbouncer."
        )
    _refuse(
        f"{found}: PgBouncer does not pass it on. Set it on the role: ALTER ROLE "
        f'"{facts.role}" IN DATABASE "{facts.database}" SET statement_timeout = {wanted}; '
        "(or DB_STATEMENT_TIMEOUT_MS=0 for none)."
    )


def _check_connection_budget(facts: _ServerFacts, settings: Settings) -> None:
    """Refuse when workers x (pool size + overflow) cannot fit the server.

    Headroom is kept for migrations, psql sessions and monitoring: the larger of 3
    connections and 10% of `max_connections`, on top of the superuser reserve.
    """
    needed = settings.web_concurrency * (settings.db_pool_size + settings.db_max_overflow)
    limit = facts.max_connections
    available = limit - facts.reserved - max(3, limit // 10)
    if needed > available:
        _refuse(
            f"{settings.web_concurrency} workers x (DB_POOL_SIZE {settings.db_pool_size} + "
            f"DB_MAX_OVERFLOW {settings.db_max_overflow}) = {needed} connections, but the "
            f"database allows {available} (max_connections {limit}, minus reserve and "
            "headroom). Lower WEB_CONCURRENCY or the pool sizes, or raise max_connections.",
            ConnectionBudgetExceeded,
        )
