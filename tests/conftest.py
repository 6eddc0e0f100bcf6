"""Test harness: a real PostgreSQL, the real migrations, one rolled-back transaction per test.

The database is `TEST_DATABASE_URL` when set (its schema is wiped and rebuilt), otherwise
an embedded PostgreSQL started for the session under `.devdb/test`. The URL is exported
as `DATABASE_URL` before any test module is imported, so the settings, the Alembic
environment and `app.main` all see the test database.

With `TEST_DB_POOLER=pgbouncer` (the second pass of `make test`), the tests reach that
database through a real PgBouncer in transaction mode, with `DB_POOLER=pgbouncer`; the
migrations still run directly, as in production.
"""

import contextlib
import os
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient, Response
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from app.core.config import Settings
from app.core.db import Sessions, create_engine
from app.core.outbound_http import create_http_client, get_http_client
from tests.support.committed import committed_app
from tests.support.contract import check_against_openapi
from tests.support.database import (
    prepare_database,
    start_embedded_database,
    stop_embedded_database,
)
from tests.support.pgbouncer import pgbouncer_for_the_app
from tests.support.probe_routes import with_probe_routes

REPO_ROOT = Path(__file__).resolve().parent.parent
EMBEDDED_DATA_DIR = REPO_ROOT / ".devdb" / "test"
# Enough server connections for a test's transaction, its app's pool and concurrent requests.
TEST_PGBOUNCER_POOL_SIZE = 5
_pooler = contextlib.ExitStack()


def pytest_configure(config: pytest.Config) -> None:
    os.environ["ENVIRONMENT"] = "test"
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(48)
    os.environ.pop("LOG_FORMAT", None)
    url = os.environ.get("TEST_DATABASE_URL") or start_embedded_database(EMBEDDED_DATA_DIR)
    os.environ["DATABASE_URL"] = url
    prepare_database(url)
    if os.environ.get("TEST_DB_POOLER") == "pgbouncer":
        os.environ["DATABASE_URL"] = _through_pgbouncer(url)
        os.environ["DB_POOLER"] = "pgbouncer"


def _through_pgbouncer(url: str) -> str:
    bouncer = _pooler.enter_context(pgbouncer_for_the_app(url, pool_size=TEST_PGBOUNCER_POOL_SIZE))
    return bouncer.url()


def pytest_unconfigure(config: pytest.Config) -> None:
    _pooler.close()
    if not os.environ.get("TEST_DATABASE_URL"):
        stop_embedded_database(EMBEDDED_DATA_DIR)


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings()


@pytest.fixture(scope="session")
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(settings)
    yield engine
    await engine.dispose()


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection inside a transaction that is rolled back after the test."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        try:
            yield connection
        finally:
            await transaction.rollback()


@pytest.fixture
def session_factory(connection: AsyncConnection) -> async_sessionmaker[AsyncSession]:
    # Sessions join the test's transaction; their commits only release a savepoint.
    return async_sessionmaker(
        bind=connection,
        expire_on_commit=False,
        autoflush=False,
        join_transaction_mode="create_savepoint",
    )


@pytest.fixture
async def session(
    session_factory: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    async with session_factory() as session:
        yield session


def app_in_the_test_transaction(
    settings: Settings, engine: AsyncEngine, session_factory: async_sessionmaker[AsyncSession]
) -> FastAPI:
    """The real application built with `settings`, its requests running inside the test's
    transaction (`session_factory`); for fixtures that need other settings than `app`'s.
    It also serves the probe routes (tests/support/probe_routes.py) the platform tests use."""
    # Imported here: `app.main` builds its module-level app from the environment, which
    # pytest_configure has only now pointed at the test database.
    from app.main import create_app  # noqa: PLC0415

    application = with_probe_routes(create_app(settings))
    application.state.engine = engine
    application.state.sessions = Sessions(session_factory, session_factory)
    # What the lifespan would open: the outgoing client (it dials only when a test makes
    # a route call out; those tests inject one of their own, `loopback_allowed`).
    application.state.http_client = create_http_client(settings)
    return application


@pytest.fixture
def app(
    settings: Settings,
    engine: AsyncEngine,
    session_factory: async_sessionmaker[AsyncSession],
) -> FastAPI:
    """The real application, its requests running inside the test's transaction."""
    return app_in_the_test_transaction(settings, engine, session_factory)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[AsyncClient]:
    """The API client of the tests; every response is checked against the OpenAPI document."""

    async def conforms(response: Response) -> None:
        check_against_openapi(app, response)

    async with AsyncClient(
        transport=ASGITransport(app=app),
        base_url="http://test",
        event_hooks={"response": [conforms]},
    ) as client:
        yield client


@pytest.fixture
async def committed() -> AsyncIterator[tuple[AsyncClient, str]]:
    """A client whose requests commit, and a name prefix for the users it may create
    (tests/support/committed.py)."""
    async with committed_app() as committed:
        yield committed.client, committed.prefix


@pytest.fixture
async def loopback_allowed(app: FastAPI, settings: Settings) -> AsyncIterator[None]:
    """Outgoing calls to loopback admitted (the SSRF allow-list), through a real client
    injected into `app`: for tests with a receiver on 127.0.0.1."""
    tuned = settings.model_copy(
        update={
            "webhook_allowed_networks": ["127.0.0.0/8"],
            "http_client_read_timeout_seconds": 0.5,
        }
    )
    app.state.settings = tuned
    async with create_http_client(tuned) as http:
        app.dependency_overrides[get_http_client] = lambda: http
        yield
    app.dependency_overrides.clear()
