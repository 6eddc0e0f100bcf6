"""A connection the server ended while it sat in the pool, used before its socket closed.

The server's FATAL error reaches the idle connection before the close does; asyncpg, which
expects no message while idle, leaves its protocol mid-message, and the next statement on
it fails with `InternalClientError` ("cannot switch to state 12; another operation (2) is
in progress", seen in the log during an outage). So the error is not two operations of
ours on one connection (a request never holds two, and a borrowed connection serves one
read): it is how asyncpg reports a connection the server has ended. What matters is that
such a connection is never lent again and that the request answers as in any outage.
"""

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.core.config import Settings
from app.core.db import DriverRead, create_engine, create_sessions
from app.core.errors import is_database_outage
from tests.support.relay import close_delaying_relay

_BACKEND = DriverRead(select(func.pg_backend_pid().label("pid")))

# The close reaches the client this long after the FATAL error: longer than the test needs.
CLOSE_DELAY_SECONDS = 3.0


@pytest.fixture
async def relayed_engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """An engine of one connection whose server-side closes arrive late."""
    async with close_delaying_relay(settings.database_url, CLOSE_DELAY_SECONDS) as url:
        engine = create_engine(
            settings.model_copy(
                update={"database_url": url, "db_pool_size": 1, "db_max_overflow": 0}
            )
        )
        try:
            yield engine
        finally:
            await engine.dispose()


async def _end_backend(connection: AsyncConnection, pid: int) -> None:
    """The server ends `pid` (as at a shutdown); its FATAL error arrives, the close does not."""
    ended = await connection.scalar(select(func.pg_terminate_backend(pid)))
    assert ended is True
    await asyncio.sleep(0.3)


async def test_a_driver_read_on_it_answers_from_a_new_connection(
    relayed_engine: AsyncEngine, connection: AsyncConnection, caplog: pytest.LogCaptureFixture
) -> None:
    session = create_sessions(relayed_engine).autocommit()
    before = await _BACKEND.first(session, {})
    assert before is not None
    await _end_backend(connection, before["pid"])

    after = await _BACKEND.first(session, {})

    assert after is not None
    assert after["pid"] != before["pid"]
    # It failed on the driver as in the log, was dropped (not lent again), and the read
    # answered the ordinary way on a new connection.
    assert "cannot switch to state 12; another operation (2) is in progress" in caplog.text
    assert "driver read failed, then succeeded through SQLAlchemy" in caplog.text
    await session.close()
    assert relayed_engine.sync_engine.pool.checkedout() == 0  # type: ignore[attr-defined]


async def test_a_statement_on_it_is_an_outage_and_the_connection_is_dropped(
    relayed_engine: AsyncEngine, connection: AsyncConnection
) -> None:
    async with relayed_engine.connect() as first:
        before = await first.scalar(select(func.pg_backend_pid()))
    assert before is not None
    await _end_backend(connection, before)

    with pytest.raises(DBAPIError) as failed:
        async with relayed_engine.connect() as second:
            await second.scalar(select(func.pg_backend_pid()))

    assert "another operation (2) is in progress" in str(failed.value.orig)  # the log's error
    assert failed.value.connection_invalidated
    assert is_database_outage(failed.value)  # the request answers 503 with Retry-After
    async with relayed_engine.connect() as third:  # the pool lends a new connection
        after = await third.scalar(select(func.pg_backend_pid()))
    assert after not in (None, before)
