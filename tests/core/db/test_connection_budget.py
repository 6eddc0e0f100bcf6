"""Start-up refuses worker and pool sizes the database cannot serve."""

import logging

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.config import Settings
from app.core.db import ConnectionBudgetExceeded, check_database_at_startup, create_engine


async def test_default_sizes_fit(engine: AsyncEngine, settings: Settings) -> None:
    await check_database_at_startup(engine, settings.model_copy(update={"web_concurrency": 2}))


async def test_too_many_workers_are_refused(
    engine: AsyncEngine, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    greedy = settings.model_copy(
        update={"web_concurrency": 64, "db_pool_size": 50, "db_max_overflow": 50}
    )

    with caplog.at_level(logging.ERROR), pytest.raises(ConnectionBudgetExceeded) as error:
        await check_database_at_startup(engine, greedy)

    assert "64 workers x (DB_POOL_SIZE 50 + DB_MAX_OVERFLOW 50) = 6400" in str(error.value)
    assert "Lower WEB_CONCURRENCY" in caplog.text


async def test_an_unreachable_database_is_left_to_the_readiness_probe(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    nowhere = settings.model_copy(
        update={"database_url": "postgresql+asyncpg://nobody@127.0.0.1:9/none"}
    )
    engine = create_engine(nowhere)

    with caplog.at_level(logging.WARNING):
        await check_database_at_startup(engine, nowhere)

    await engine.dispose()
    assert "could not check the database at start-up" in caplog.text
