"""Setting up the test database: embedded server, clean schema, real migrations."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

REPO_ROOT = Path(__file__).resolve().parents[2]
TEST_DATABASE = "conduit_test"


def alembic_config() -> Config:
    return Config(toml_file=str(REPO_ROOT / "pyproject.toml"))


def start_embedded_database(data_dir: Path) -> str:
    from devtools import devdb  # noqa: PLC0415 (only needed without TEST_DATABASE_URL

    server = devdb.start(data_dir, fast=True)
    devdb.create_database(server, TEST_DATABASE)
    return server.url(TEST_DATABASE)


def stop_embedded_database(data_dir: Path) -> None:
    from devtools import devdb  # noqa: PLC0415

    devdb.stop(data_dir)


async def _reset_schema(url: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()


def prepare_database(url: str) -> None:
    """Wipe the schema and build it with `alembic upgrade heads`, as production does."""
    asyncio.run(_reset_schema(url))
    command.upgrade(alembic_config(), "heads")


@asynccontextmanager
async def scratch_database(base_url: str, suffix: str) -> AsyncIterator[str]:
    """A throw-away database next to the test database, for tests that commit or drop."""
    url = make_url(base_url)
    name = f"{url.database}_{suffix}"
    admin = create_async_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield url.set(database=name).render_as_string(hide_password=False)
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


def _upgrade_to_head(connection: Connection) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "heads")


@asynccontextmanager
async def migrated_scratch_database(base_url: str, suffix: str) -> AsyncIterator[str]:
    """A scratch database (see `scratch_database`) with the migrations applied."""
    async with scratch_database(base_url, suffix) as url:
        engine = create_async_engine(url)
        try:
            async with engine.begin() as connection:
                await connection.run_sync(_upgrade_to_head)
        finally:
            await engine.dispose()
        yield url


async def run_directly(url: str, *statements: str) -> list[object]:
    """Run statements on a direct connection (autocommit): each one's first value, if any."""
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    values: list[object] = []
    try:
        async with engine.connect() as connection:
            for sql in statements:
                result = await connection.execute(text(sql))
                values.append(result.scalar() if result.returns_rows else None)
            return values
    finally:
        await engine.dispose()


async def set_role_statement_timeout(url: str, milliseconds: int | None) -> None:
    """What docs/deployment.md "Scaling out" tells operators to do; None resets it."""
    value = (
        "RESET statement_timeout"
        if milliseconds is None
        else f"SET statement_timeout = {milliseconds}"
    )
    database = make_url(url).database
    await run_directly(url, f'ALTER ROLE CURRENT_USER IN DATABASE "{database}" {value}')


def run_alembic(connection: Connection, action: str, *args: str) -> None:
    """An Alembic command (`upgrade`, `downgrade`, `check`...) on `connection`."""
    config = alembic_config()
    config.attributes["connection"] = connection
    getattr(command, action)(config, *args)
