"""Writes are limited per user (or per address before login); reads are never counted."""

from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from app.core.config import Settings
from tests.support.rate_limits import (
    QUOTA,
    WINDOW_SECONDS,
    client_of_its_own_address,
    with_small_quota,
)
from tests.support.users import register

LIMIT = QUOTA
WINDOW = WINDOW_SECONDS


@pytest.fixture
async def limited(app: FastAPI, settings: Settings) -> AsyncIterator[AsyncClient]:
    """The app with a quota of LIMIT writes a day, inside the test's transaction."""
    with_small_quota(app, settings)
    async with client_of_its_own_address(app) as client:
        yield client


async def test_writes_beyond_the_quota_get_429_with_ratelimit_fields(
    limited: AsyncClient,
) -> None:
    fan = await register(limited, "fan")  # an anonymous write: counted for the address
    other = await register(limited, "other")
    await register(limited, "third")  # the address's third: its quota is spent
    thing = {"thing": {"name": "a thing"}}

    statuses, remaining = [], []
    for _ in range(LIMIT + 1):
        response = await limited.post("/probe/things", json=thing, headers=fan.headers)
        statuses.append(response.status_code)
        remaining.append(response.headers.get("RateLimit", ""))
    refused = response
    reads = [await limited.get("/probe/things", headers=fan.headers) for _ in range(5)]
    others = await limited.post("/probe/things", json=thing, headers=other.headers)

    assert statuses == [201] * LIMIT + [429]
    assert [value.split(";")[1] for value in remaining[:LIMIT]] == ["r=2", "r=1", "r=0"]
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["errors"] == {"request": ["rate limit 'writes' exceeded"]}
    assert 1 <= int(refused.headers["Retry-After"]) <= WINDOW
    assert refused.headers["RateLimit-Policy"] == f'"writes";q={LIMIT};w={WINDOW}'
    assert refused.headers["RateLimit"] == f'"writes";r=0;t={refused.headers["Retry-After"]}'
    assert all(read.status_code == 200 for read in reads)  # reads are not limited
    assert "RateLimit" not in reads[0].headers
    assert others.status_code == 201  # per user: another user has a quota of its own


async def test_registrations_are_limited_per_address(limited: AsyncClient) -> None:
    for _ in range(LIMIT):
        await register(limited)
    body = {"user": {"username": "onetoo", "email": "one@too.com", "password": "x" * 12}}

    response = await limited.post("/api/users", json=body)

    assert response.status_code == 429


def test_the_openapi_document_declares_the_429_on_limited_operations(app: FastAPI) -> None:
    paths = app.openapi()["paths"]
    follow = paths["/probe/things"]["post"]["responses"]["429"]
    assert set(follow["headers"]) == {"Retry-After", "RateLimit-Policy", "RateLimit"}
    assert follow["content"]["application/problem+json"]["schema"] == {
        "$ref": "#/components/schemas/Problem"
    }
    limited = {
        f"{method.upper()} {path}"
        for path, item in paths.items()
        for method, operation in item.items()
        if "429" in operation["responses"]
    }
    assert "GET /probe/things" not in limited
    assert {"POST /probe/things", "POST /probe/things/anonymous"} <= limited
    assert {"PUT /api/user", "POST /api/users"} <= limited
    # Login has its own throttle (also a 429), counted per email and address.
    assert "POST /api/users/login" in limited
