"""The write quota holds across worker processes: concurrent writes, exactly the quota pass."""

import asyncio
import uuid

import httpx
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine

from app.identity.users.models import User
from tests.deploy.server import production_server
from tests.support.probe_app import PROBE_APP_MODULE
from tests.support.users import register

QUOTA = 5
WRITES = 30


async def test_concurrent_writes_over_two_workers_get_exactly_the_quota(
    engine: AsyncEngine,
) -> None:
    name = f"rl{uuid.uuid4().hex[:10]}"
    try:
        with production_server(
            workers=2,
            RATE_LIMIT_WRITES=str(QUOTA),
            RATE_LIMIT_WINDOW_SECONDS="86400",
            APP_MODULE=PROBE_APP_MODULE,
        ) as server:
            limits = httpx.Limits(max_connections=WRITES)
            async with httpx.AsyncClient(
                base_url=server.base_url, limits=limits, timeout=60
            ) as client:
                user = await register(client, name)  # counted for the address, not the user
                thing = {"thing": {"name": name}}
                responses = await asyncio.gather(
                    *(
                        client.post("/probe/things", headers=user.headers, json=thing)
                        for _ in range(WRITES)
                    )
                )
    finally:
        async with engine.begin() as connection:
            await connection.execute(delete(User).where(User.username == name))

    statuses = [response.status_code for response in responses]
    assert statuses.count(201) == QUOTA
    assert statuses.count(429) == WRITES - QUOTA
