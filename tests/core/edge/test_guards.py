"""Edge protections: trusted hosts, CORS, security headers, HSTS and body size."""

from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

from app.core.config import Settings


@pytest.fixture
async def guarded(app: FastAPI, settings: Settings) -> AsyncIterator[AsyncClient]:
    """The app rebuilt with explicit hosts, origins, HSTS and a small body limit."""
    from app.main import create_app  # noqa: PLC0415

    strict = create_app(
        settings.model_copy(
            update={
                "trusted_hosts": ["api.example.com", "*.example.org"],
                "cors_origins": ["https://app.example.com"],
                "hsts_seconds": 31536000,
                "max_request_body_bytes": 2048,
            }
        )
    )
    strict.state.engine = app.state.engine
    strict.state.sessions = app.state.sessions
    transport = ASGITransport(app=strict)
    async with AsyncClient(transport=transport, base_url="https://api.example.com") as client:
        yield client


@pytest.mark.parametrize("host", ["api.example.com", "eu.example.org", "api.example.com:8443"])
async def test_trusted_hosts_pass(guarded: AsyncClient, host: str) -> None:
    assert (await guarded.get("/health/live", headers={"Host": host})).status_code == 200


@pytest.mark.parametrize("host", ["evil.test", "example.org.evil.test", ""])
async def test_untrusted_host_is_a_400_problem(guarded: AsyncClient, host: str) -> None:
    response = await guarded.get("/health/live", headers={"Host": host})

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"] == {"host": ["is not allowed"]}


async def test_cors_preflight_for_allowed_and_other_origins(guarded: AsyncClient) -> None:
    request_headers = {"Access-Control-Request-Method": "POST"}

    allowed = await guarded.options(
        "/api/users", headers={"Origin": "https://app.example.com", **request_headers}
    )
    other = await guarded.options(
        "/api/users", headers={"Origin": "https://evil.test", **request_headers}
    )

    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://app.example.com"
    assert "access-control-allow-origin" not in other.headers


async def test_security_headers_and_hsts_on_https(
    guarded: AsyncClient, client: AsyncClient
) -> None:
    secure = await guarded.get("/api/user")  # a 401: error responses get them too
    plain = await client.get("/health/live")  # http, and HSTS not configured

    assert secure.headers["x-content-type-options"] == "nosniff"
    assert secure.headers["x-frame-options"] == "DENY"
    assert secure.headers["referrer-policy"] == "no-referrer"
    assert secure.headers["content-security-policy"].startswith("default-src 'none'")
    assert secure.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    assert "strict-transport-security" not in plain.headers


async def test_declared_oversized_body_is_413(guarded: AsyncClient) -> None:
    response = await guarded.post(
        "/api/users", content=b"x" * 4096, headers={"content-type": "application/json"}
    )

    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"] == {"body": ["is larger than 2048 bytes"]}


async def test_streamed_oversized_body_is_413(guarded: AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(8):
            yield b"x" * 512

    response = await guarded.post(
        "/api/users", content=chunks(), headers={"content-type": "application/json"}
    )

    assert response.status_code == 413


async def test_body_under_the_limit_is_processed(guarded: AsyncClient) -> None:
    response = await guarded.post("/api/users", json={"user": {}})

    assert response.status_code == 422
