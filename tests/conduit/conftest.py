"""Fixtures for API tests that need committed data."""

import uuid
from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy import delete

from app.core.config import Settings
from app.models import User


@pytest.fixture
async def committed() -> AsyncIterator[tuple[AsyncClient, str]]:
    """A client whose requests commit, and a name prefix for the users it may create.

    The app runs with its own pool (through the real lifespan) instead of the shared
    rolled-back test transaction, so requests see and make real, separate transactions.
    """
    from app.main import create_app  # noqa: PLC0415 (see conftest: app fixture)

    app: FastAPI = create_app(Settings())
    prefix = f"cc{uuid.uuid4().hex[:8]}"
    async with app.router.lifespan_context(app):
        async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
            yield client, prefix
        async with app.state.sessions.transactional.begin() as session:
            # Articles, favorites, follows and comments go with their users (ON DELETE CASCADE).
            await session.execute(delete(User).where(User.username.startswith(prefix)))
