"""The real application on a pool of its own (through the real lifespan): its requests
make real, separate transactions that commit, unlike the `app` fixture's, which run in
the test's rolled-back transaction. What the test's users made is deleted afterwards."""

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy import delete

from app.core.config import Settings
from app.identity.users.models import User
from tests.support.probe_routes import with_probe_routes


@dataclass
class CommittedApp:
    app: FastAPI
    client: AsyncClient
    prefix: str  # of the usernames the test makes: they are deleted afterwards

    def checked_out(self) -> int:
        """Connections of the pool in use now."""
        return int(self.app.state.engine.pool.checkedout())


@asynccontextmanager
async def committed_app(**settings: Any) -> AsyncIterator[CommittedApp]:
    """`settings` override the environment's (e.g. `db_pool_size=1`)."""
    from app.main import create_app  # noqa: PLC0415 (see tests/conftest.py: app fixture)

    app = with_probe_routes(create_app(Settings(**settings)))
    prefix = f"cc{uuid.uuid4().hex[:8]}"
    async with app.router.lifespan_context(app):
        async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
            yield CommittedApp(app, client, prefix)
        async with app.state.sessions.transactional.begin() as session:
            # What they made goes with them (ON DELETE CASCADE).
            await session.execute(delete(User).where(User.username.startswith(prefix)))
