"""Engine, session factory and the per-request session dependency.

Nothing here connects at import time: `create_engine` is called from the application
lifespan, i.e. inside each Gunicorn worker after it has forked.
"""

from collections.abc import AsyncIterator
from dataclasses import dataclass

from fastapi import Request
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine as _create_async_engine
from sqlalchemy.orm import DeclarativeBase

from app.core.config import Settings
from app.core.db import _pooler as pooler
from app.core.db._fair_pool import FairAsyncPool
from app.core.db._outage_log import outage_log
from app.core.db._pool_ping import ping_after_idle

# Stable, predictable constraint names, so migrations can drop and alter them by name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def create_engine(settings: Settings) -> AsyncEngine:
    engine = _create_async_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout_seconds,
        pool_recycle=settings.db_pool_recycle_seconds,
        connect_args=pooler.connect_args(settings),
        poolclass=FairAsyncPool,
    )
    ping_after_idle(engine, settings.db_pool_ping_after_idle_seconds)
    return engine


# Safe methods (RFC 9110) do not change state, so their handlers never write.
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Sessions:
    """The two kinds of request session, both on the engine's one pool.

    `transactional` runs the request in one transaction (BEGIN ... COMMIT). `autocommit`
    serves read-only requests: each statement is its own implicit transaction, which
    saves the BEGIN and COMMIT round trips. Reads that must see one snapshot across
    statements phrase it as one statement (a feature's read model shows how).
    """

    transactional: async_sessionmaker[AsyncSession]
    autocommit: async_sessionmaker[AsyncSession]


def _session_factory(bind: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # Objects stay readable after commit; responses are built from them afterwards.
    return async_sessionmaker(bind, expire_on_commit=False, autoflush=False)


def create_sessions(engine: AsyncEngine) -> Sessions:
    autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
    return Sessions(transactional=_session_factory(engine), autocommit=_session_factory(autocommit))


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request; for writes, one transaction.

    A write request's transaction is committed when the endpoint returns, and rolled back
    on any exception (HTTP errors included). It is wired with `scope="function"` (see
    `app.deps.SessionDep`) so this runs before the response is sent: a failed commit
    becomes a 500, never a 2xx. A read-only request has nothing to commit (each of its
    statements is its own transaction); anything it left pending is discarded.
    """
    sessions: Sessions = request.app.state.sessions
    read_only = request.method in READ_ONLY_METHODS
    session = (sessions.autocommit if read_only else sessions.transactional)()
    try:
        yield session
        # During an outage, a request whose statements all ran proves the database back
        # (asked before the commit, which ends the transaction); otherwise nothing to ask.
        reached = outage_log.started_at is not None and session.in_transaction()
        if not read_only:
            await session.commit()
        if reached:
            outage_log.reached()
    finally:
        # Rolls back whatever was not committed. Not `async with`: AsyncSession's exit runs
        # close() in a shielded task of its own, and FastAPI already shields a dependency's
        # exit from cancellation. A session that holds no connection (never began, or
        # committed) has nothing to give back: its close would only cost a greenlet switch.
        if session.in_transaction():
            await session.close()


async def release_connection(session: AsyncSession) -> None:
    """Commit what `session` has done so far and give its connection back to the pool.

    The rule (docs/architecture.md "Connections"): no pooled connection is held across
    outgoing I/O or password hashing, the waits a client can make long or many. Load,
    release, call out (or hash), then record the result: the session's next statement
    begins a new, short transaction on whichever connection is free then. What was done
    before the release is committed: call it before the request's own changes, not
    between two that must be atomic.
    """
    if session.in_transaction():
        await session.commit()


def _driver_detail(error: Exception, attribute: str) -> str | None:
    """An attribute of the asyncpg exception behind a SQLAlchemy DBAPIError, if present."""
    cause = getattr(getattr(error, "orig", None), "__cause__", None)
    value = getattr(cause, attribute, None)
    return value if isinstance(value, str) else None


def violated_constraint(error: Exception) -> str | None:
    """Name of the constraint or unique index behind an IntegrityError, if known."""
    return _driver_detail(error, "constraint_name")


def sqlstate(error: Exception) -> str | None:
    """The PostgreSQL SQLSTATE behind a DBAPIError, if the driver reported one."""
    return _driver_detail(error, "sqlstate")
