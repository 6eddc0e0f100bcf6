"""A test client of its own address, for the write quotas (app/core/ratelimit).

Quotas are counted per user or per client address in fixed windows, and the tests that
commit their writes count for 127.0.0.1: a client that must start with a full quota comes
from an address no other test uses.
"""

import random

from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient, Response

from app.core.config import Settings
from tests.support.contract import check_against_openapi

QUOTA = 3
WINDOW_SECONDS = 86_400  # fixed windows of a day end at midnight UTC: not within a test


def with_small_quota(app: FastAPI, settings: Settings) -> None:
    """`app` (the test app) allows QUOTA limited writes per caller from now on."""
    app.state.settings = settings.model_copy(
        update={"rate_limit_writes": QUOTA, "rate_limit_window_seconds": WINDOW_SECONDS}
    )


def client_of_its_own_address(app: FastAPI) -> AsyncClient:
    """An API client from a random 10.x address; responses checked against the OpenAPI."""

    async def conforms(response: Response) -> None:
        check_against_openapi(app, response)

    address = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"
    return AsyncClient(
        transport=ASGITransport(app=app, client=(address, 123)),
        base_url="http://test",
        event_hooks={"response": [conforms]},
    )
