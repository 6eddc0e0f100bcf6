"""The migration tests' own database."""

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from app.core.config import Settings
from tests.support.database import scratch_database


@pytest.fixture(scope="module")
async def scratch_engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """A database of its own: dropping tables must not disturb the other tests' schema."""
    async with scratch_database(settings.database_url, "migrations") as url:
        engine = create_async_engine(url)
        yield engine
        await engine.dispose()
