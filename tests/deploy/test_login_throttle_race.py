"""The login limit holds under concurrent guesses spread over two worker processes."""

import asyncio
import uuid
from datetime import timedelta

import httpx
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.ratelimit import LoginFailures, LoginThrottle
from tests.deploy.server import production_server

LIMIT = 10
GUESSES = 50


async def _guess_concurrently(base_url: str, email: str) -> list[int]:
    body = {"user": {"email": email, "password": "wrong password"}}
    limits = httpx.Limits(max_connections=GUESSES)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as client:
        responses = await asyncio.gather(
            *(client.post("/api/users/login", json=body) for _ in range(GUESSES))
        )
    return [response.status_code for response in responses]


async def test_parallel_guesses_get_exactly_the_limit_of_password_checks(
    engine: AsyncEngine,
) -> None:
    # An unknown email: throttled like a registered one, and nothing to clean but its row.
    email = f"victim-{uuid.uuid4().hex[:12]}@example.com"
    # The pair's, the address's and the account's counts: all three go afterwards.
    throttle = LoginThrottle(
        "127.0.0.1", LIMIT, timedelta(seconds=900), address_limit=1, account_limit=1
    )
    keys = throttle.keys(email)
    try:
        with production_server(workers=2, LOGIN_FAILURE_LIMIT=str(LIMIT)) as server:
            statuses = await _guess_concurrently(server.base_url, email)
    finally:
        async with engine.begin() as connection:
            await connection.execute(delete(LoginFailures).where(LoginFailures.key.in_(keys)))

    assert statuses.count(401) == LIMIT
    assert statuses.count(429) == GUESSES - LIMIT
