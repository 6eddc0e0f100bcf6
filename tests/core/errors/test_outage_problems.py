"""A database that cannot be reached is a 503 with Retry-After, logged once per episode.

Each outage here is real: a port nothing listens on, a pool with no free connection, a
connection terminated by PostgreSQL mid-query. (Stopping a whole server under load is in
tests/deploy/test_database_outage.py.)
"""

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient, Response
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.config import Settings
from app.core.db import create_engine, create_sessions, outage_log
from app.core.errors import RETRY_AFTER_SECONDS
from app.deps import SessionDep
from tests.support.contract import check_against_openapi
from tests.support.ports import free_port
from tests.support.probe_routes import with_probe_routes

UNREACHABLE = "database unreachable"
RECOVERED = "database reachable again"


@pytest.fixture(autouse=True)
def no_outage_in_progress() -> None:
    outage_log.started_at = None


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    """The real app, without an engine yet; built before the test so caplog sees its logs."""
    from app.main import create_app  # noqa: PLC0415 (see tests/conftest.py)

    return with_probe_routes(create_app(settings))


@asynccontextmanager
async def serving(app: FastAPI, engine: AsyncEngine) -> AsyncIterator[AsyncClient]:
    """`app` on `engine`, its responses checked against its OpenAPI document."""
    app.state.engine = engine
    app.state.sessions = create_sessions(engine)

    async def conforms(response: Response) -> None:
        check_against_openapi(app, response)

    transport = ASGITransport(app=app)
    hooks = {"response": [conforms]}
    async with AsyncClient(transport=transport, base_url="http://test", event_hooks=hooks) as c:
        yield c


def assert_outage(response: Response) -> None:
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
    assert response.json()["errors"] == {"database": ["is unreachable"]}


def messages(caplog: pytest.LogCaptureFixture, text: str) -> list[logging.LogRecord]:
    return [record for record in caplog.records if text in record.getMessage()]


async def test_refused_connections_are_503_and_logged_once_until_recovery(
    app: FastAPI, settings: Settings, engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/unreachable"
    down = create_engine(settings.model_copy(update={"database_url": url}))
    try:
        async with serving(app, down) as client:
            # Through the request's session, and through a driver read.
            responses = await asyncio.gather(*(client.get("/probe/things") for _ in range(5)))
            responses.append(await client.get("/probe/things/driver-read"))
    finally:
        await down.dispose()
    async with serving(app, engine) as client:
        back = await client.get("/probe/things")

    for response in responses:
        assert_outage(response)
    assert back.status_code == 200
    [unreachable] = messages(caplog, UNREACHABLE)
    assert "ConnectionRefusedError" in unreachable.getMessage()
    [recovered] = messages(caplog, RECOVERED)
    assert "6 requests answered 503" in recovered.getMessage()
    assert not any(record.exc_info for record in caplog.records)


async def test_a_pool_without_a_free_connection_in_time_is_503(
    app: FastAPI, settings: Settings
) -> None:
    tight = settings.model_copy(
        update={"db_pool_size": 1, "db_max_overflow": 0, "db_pool_timeout_seconds": 0.1}
    )
    busy = create_engine(tight)
    try:
        async with busy.connect(), serving(app, busy) as client:
            response = await client.get("/probe/things")
    finally:
        await busy.dispose()

    assert_outage(response)


async def _terminate_when_running(engine: AsyncEngine, query: str) -> None:
    """pg_terminate_backend on the connection running `query`, once it runs."""
    find = text("SELECT pid FROM pg_stat_activity WHERE query LIKE :query")
    # Autocommit: inside one transaction pg_stat_activity would show the same snapshot.
    async with engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        for _ in range(600):  # polls for up to a minute, until the request's query runs
            pid = await connection.scalar(find, {"query": f"%{query}%"})
            if pid is not None:
                await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
                return
            await asyncio.sleep(0.1)
    raise AssertionError(f"{query!r} never ran")


async def test_a_connection_lost_mid_request_is_503(
    app: FastAPI, settings: Settings, engine: AsyncEngine
) -> None:
    query = "SELECT pg_sleep(60) /* lost mid-request */"
    own = create_engine(settings)
    try:
        async with serving(app, own) as client:

            @app.get("/test/slow-query")
            async def slow_query(session: SessionDep) -> None:
                await session.execute(text(query))

            killer = asyncio.create_task(_terminate_when_running(engine, query))
            response = await client.get("/test/slow-query")
            killer.cancel()
    finally:
        await own.dispose()

    assert_outage(response)


def _missing_file() -> None:
    Path("/nonexistent/outage-test").read_text()


@pytest.mark.parametrize(
    "failure",
    [_missing_file, lambda: (_ for _ in ()).throw(TimeoutError("not the database"))],
    ids=["os-error", "timeout"],
)
async def test_other_os_errors_stay_500_with_a_traceback(
    app: FastAPI,
    engine: AsyncEngine,
    caplog: pytest.LogCaptureFixture,
    failure: Callable[[], None],
) -> None:
    async with serving(app, engine) as client:

        @app.get("/test/bug")
        async def bug() -> None:
            failure()

        response = await client.get("/test/bug")

    assert response.status_code == 500
    assert any(record.exc_info for record in caplog.records)
    assert not messages(caplog, UNREACHABLE)


async def test_a_failing_statement_stays_500_with_a_traceback(
    app: FastAPI, engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    async with serving(app, engine) as client:

        @app.get("/test/division")
        async def division(session: SessionDep) -> None:
            await session.execute(text("SELECT 1 / 0"))

        response = await client.get("/test/division")

    assert response.status_code == 500
    assert any(record.exc_info for record in caplog.records)
    assert not messages(caplog, UNREACHABLE)
