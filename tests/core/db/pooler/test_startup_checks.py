"""Start-up behind PgBouncer: an undeclared pooler is refused, the timeout is verified."""

import logging

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.core.config import Settings
from app.core.db import DatabaseMisconfigured, check_database_at_startup, create_engine, sqlstate
from tests.support.database import set_role_statement_timeout
from tests.support.pgbouncer import PgBouncer, running_pgbouncer

QUERY_CANCELED = "57014"


async def _start(settings: Settings) -> None:
    engine = create_engine(settings)
    try:
        await check_database_at_startup(engine, settings)
    finally:
        await engine.dispose()


async def test_transaction_mode_without_db_pooler_is_refused_with_the_fix(
    pgbouncer: PgBouncer, settings: Settings
) -> None:
    undeclared = settings.model_copy(update={"database_url": pgbouncer.url(), "db_pooler": "none"})

    with pytest.raises(DatabaseMisconfigured, match="Set DB_POOLER=pgbouncer"):
        await _start(undeclared)


async def test_a_pooler_that_drops_the_timeout_is_detected(
    direct_url: str, settings: Settings
) -> None:
    # Configured the way the issue found it: the refused parameter silently ignored.
    extra = "ignore_startup_parameters = statement_timeout"
    with running_pgbouncer(direct_url, pool_size=1, extra=extra) as bouncer:
        undeclared = settings.model_copy(
            update={"database_url": bouncer.url(), "db_pooler": "none"}
        )
        with pytest.raises(DatabaseMisconfigured, match="set DB_POOLER=pgbouncer"):
            await _start(undeclared)


async def test_behind_pgbouncer_the_timeout_must_be_set_on_the_role(
    pgbouncer: PgBouncer, direct_url: str, settings: Settings
) -> None:
    behind = settings.model_copy(update={"database_url": pgbouncer.url(), "db_pooler": "pgbouncer"})
    wanted = behind.db_statement_timeout_ms
    with pytest.raises(DatabaseMisconfigured, match="ALTER ROLE") as refusal:
        await _start(behind)
    assert f"SET statement_timeout = {wanted}" in str(refusal.value)

    await set_role_statement_timeout(direct_url, wanted)
    try:
        # A role's settings reach server connections opened afterwards: a fresh pooler.
        with running_pgbouncer(direct_url) as restarted:
            await _start(behind.model_copy(update={"database_url": restarted.url()}))
    finally:
        await set_role_statement_timeout(direct_url, None)


async def test_the_role_timeout_cancels_slow_statements_through_pgbouncer(
    pgbouncer: PgBouncer, direct_url: str, settings: Settings
) -> None:
    behind = settings.model_copy(
        update={
            "database_url": pgbouncer.url(),
            "db_pooler": "pgbouncer",
            "db_statement_timeout_ms": 100,
        }
    )
    await set_role_statement_timeout(direct_url, 100)
    engine = create_engine(behind)
    try:
        await check_database_at_startup(engine, behind)
        async with engine.connect() as connection:
            with pytest.raises(DBAPIError) as error:
                await connection.execute(text("SELECT pg_sleep(2)"))
        assert sqlstate(error.value) == QUERY_CANCELED
    finally:
        await engine.dispose()
        await set_role_statement_timeout(direct_url, None)


async def test_behind_pgbouncer_the_pooler_bounds_postgresql_connections(
    pgbouncer: PgBouncer, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    # 6,400 client connections would be refused against max_connections directly.
    greedy = settings.model_copy(
        update={
            "database_url": pgbouncer.url(),
            "db_pooler": "pgbouncer",
            "db_statement_timeout_ms": 0,
            "web_concurrency": 64,
            "db_pool_size": 50,
            "db_max_overflow": 50,
        }
    )

    with caplog.at_level(logging.INFO):
        await _start(greedy)

    assert "DB_POOLER=pgbouncer: up to 6400 connections to the pooler" in caplog.text
