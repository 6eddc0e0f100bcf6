"""The hottest reads run straight on the driver: a SQLAlchemy select, compiled once, run by asyncpg.

Why: per statement, SQLAlchemy's execution layer (a greenlet hop, an execution context,
the cursor adapter, result and row objects) costs about 100 µs of CPU on top of asyncpg's
own ~90 µs. On the reads nearly every request makes (the authenticated user, a resource
pages) that was a third of the request.

What stays: the statement is built with SQLAlchemy from the models; it runs on the
session's connection once the session holds one, else on a connection borrowed from the
engine's pool for that one round trip; with `before_cursor_execute` listeners on the
engine (the statement-count tests) it runs on the session's connection and is announced
to them; it is logged by the SQL echo (DB_ECHO). What is given up is SQLAlchemy's
error handling, so after any failure the statement runs again the ordinary way, which
raises, and invalidates a dead connection, exactly as every other statement does: a read
can safely run twice, though not inside a transaction a failure has aborted, so once the
session's transaction has begun (after a write) reads take the ordinary way. The hot
reads come first or in read-only requests. With tracing on
(app/core/observability/tracing.py), whose SQL spans need SQLAlchemy's execution
context, every read takes the ordinary way.

For selects of plain column values whose types need no conversion (checked here).
"""

import logging
import weakref
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar, cast

from sqlalchemy import Select
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import DeclarativeBase, configure_mappers, make_transient_to_detached
from sqlalchemy.pool import Pool
from sqlalchemy.util import greenlet_spawn

from app.core.db._outage_log import outage_log

Record = Mapping[str, Any]
Model = TypeVar("Model", bound=DeclarativeBase)

_DIALECT = asyncpg_dialect()  # type: ignore[no-untyped-call]
_echo = logging.getLogger("sqlalchemy.engine.Engine")
logger = logging.getLogger(__name__)

# Engines whose statement listeners need SQLAlchemy's execution context (tracing's SQL
# spans): their driver reads take the ordinary way. Known by their pool, which the engines
# derived with `execution_options` share. Looked up only when listeners exist.
_ordinary_pools: "weakref.WeakSet[Pool]" = weakref.WeakSet()


def run_reads_the_ordinary_way(engine: AsyncEngine, ordinary: bool = True) -> None:
    """Send every driver read on `engine` through SQLAlchemy's execution layer (or no longer)."""
    if ordinary:
        _ordinary_pools.add(engine.sync_engine.pool)
    else:
        _ordinary_pools.discard(engine.sync_engine.pool)


class DriverRead:
    def __init__(self, statement: Select[*tuple[Any, ...]]) -> None:
        compiled = statement.compile(dialect=_DIALECT)
        for name, bind in compiled.binds.items():
            if bind.type.bind_processor(_DIALECT) is not None:
                raise TypeError(f"parameter {name!r} needs conversion: use session.execute")
        self.statement = statement
        self.sql = str(compiled)
        self.parameter_names = tuple(compiled.positiontup or ())

    async def fetch(self, session: AsyncSession, parameters: Mapping[str, Any]) -> Sequence[Record]:
        arguments = [parameters[name] for name in self.parameter_names]
        bind = session.bind
        if (
            isinstance(bind, AsyncEngine)
            and not session.in_transaction()
            and not bind.sync_engine.dispatch.before_cursor_execute
        ):
            return await self._on_a_pooled_connection(bind, session, arguments, parameters)
        connection = await session.connection()
        driver = (await connection.get_raw_connection()).driver_connection
        if driver.is_in_transaction():  # type: ignore[union-attr]
            # A statement failing inside a transaction aborts it, so it could not be run
            # again: inside one (after a write), reads take the ordinary way.
            return await self._ordinary(session, parameters)
        sync_connection = connection.sync_connection
        assert sync_connection is not None  # noqa: S101 (session.connection() returns a live one)
        if sync_connection.dispatch.before_cursor_execute:
            if sync_connection.engine.pool in _ordinary_pools:
                return await self._ordinary(session, parameters)
            sync_connection.dispatch.before_cursor_execute(
                sync_connection, None, self.sql, tuple(arguments), None, False
            )
        if _echo.isEnabledFor(logging.INFO):
            _echo.info("%s [driver] %r", self.sql, arguments)
        try:
            records: Sequence[Record] = await driver.fetch(self.sql, *arguments)  # type: ignore[union-attr]
        except Exception as error:
            return await self._again_the_ordinary_way(session, parameters, error)
        return records

    async def _on_a_pooled_connection(
        self,
        engine: AsyncEngine,
        session: AsyncSession,
        arguments: list[Any],
        parameters: Mapping[str, Any],
    ) -> Sequence[Record]:
        """The read on a connection borrowed from the pool for its one round trip.

        For a session that holds no connection yet (read-only requests, the authentication
        read of any request): SQLAlchemy's session would begin its bookkeeping (a session
        transaction, a Connection, isolation level set and reset) around a statement that
        needs none of it; the borrowed connection is back in the pool as soon as the rows
        are in. A request never holds two connections: once its session holds one, reads
        run on it.
        """
        try:
            pooled = await engine.raw_connection()
        except (PoolTimeout, OSError):
            # No free connection in time, or the database cannot be reached (refused,
            # reset, connect timeout): the outage handling answers 503 for these as they
            # are. Asking again the ordinary way would only double the wait.
            raise
        except Exception:  # refused by the server (starting up, no slot): SQLAlchemy wraps it
            return await self._ordinary(session, parameters)
        driver = pooled.driver_connection
        assert driver is not None  # noqa: S101 (a checked-out connection is live)
        if _echo.isEnabledFor(logging.INFO):
            _echo.info("%s [driver] %r", self.sql, arguments)
        try:
            records: Sequence[Record] = await driver.fetch(self.sql, *arguments)
        except Exception as error:
            if driver.is_closed():
                pooled.invalidate(error)  # dead: not fit to lend again
            else:
                await greenlet_spawn(pooled.close)
            return await self._again_the_ordinary_way(session, parameters, error)
        except BaseException as error:
            pooled.invalidate(error)  # interrupted mid-statement (cancelled): not fit to lend
            raise
        await greenlet_spawn(pooled.close)  # back to the pool
        if outage_log.started_at is not None:
            outage_log.reached()  # rows came back: the database is reachable
        return records

    async def _again_the_ordinary_way(
        self, session: AsyncSession, parameters: Mapping[str, Any], error: Exception
    ) -> Sequence[Record]:
        """After the driver failed: SQLAlchemy raises the error as for any statement (and
        invalidates what it must), or answers, which is logged as unexpected."""
        records = await self._ordinary(session, parameters)
        logger.warning("driver read failed, then succeeded through SQLAlchemy: %r", error)
        return records

    async def _ordinary(
        self, session: AsyncSession, parameters: Mapping[str, Any]
    ) -> Sequence[Record]:
        result = await session.execute(self.statement, dict(parameters))
        # Keyed by name: every column of a driver read is named (RowMapping also admits columns).
        return cast(Sequence[Record], result.mappings().all())

    async def first(self, session: AsyncSession, parameters: Mapping[str, Any]) -> Record | None:
        records = await self.fetch(session, parameters)
        return records[0] if records else None


def detached(model: type[Model], columns: Mapping[str, Any]) -> Model:
    """An ORM object of `model` holding `columns` (every column attribute, by key), detached.

    Built as SQLAlchemy's own loading builds one: a new instance whose state dict receives
    the values directly, then marked persistent-and-detached (`make_transient_to_detached`
    commits them as loaded). Calling the constructor instead fires an attribute event per
    column and records each as a change, only for it to be committed away: 15 µs against 4.
    A session attaches the object (`add`) when a request changes it.
    """
    mapper = model.__mapper__
    if not mapper.configured:  # the constructor would have configured the mappers; do it here
        configure_mappers()
    instance: Model = mapper.class_manager.new_instance()
    instance.__dict__.update(columns)
    make_transient_to_detached(instance)
    return instance
