"""Login throttling: a few failures per email and client address, then 429 until the window ends."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient, Response
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.ratelimit import LoginFailures
from tests.support.users import PASSWORD, RegisteredUser, register

LIMIT = 3
WINDOW_SECONDS = 600


@pytest.fixture(autouse=True)
def strict_limits(app: FastAPI, settings: Settings) -> None:
    app.state.settings = settings.model_copy(
        update={"login_failure_limit": LIMIT, "login_failure_window_seconds": WINDOW_SECONDS}
    )


@pytest.fixture
async def elsewhere(app: FastAPI) -> AsyncIterator[AsyncClient]:
    """A client connecting from another address."""
    transport = ASGITransport(app=app, client=("203.0.113.7", 40000))
    async with AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def login(client: AsyncClient, email: str, password: str) -> Response:
    return await client.post(
        "/api/users/login", json={"user": {"email": email, "password": password}}
    )


async def fail(client: AsyncClient, email: str, times: int = LIMIT) -> None:
    for _ in range(times):
        assert (await login(client, email, "wrong password")).status_code == 401


@pytest.fixture
async def bob(client: AsyncClient) -> RegisteredUser:
    return await register(client, "bob")


async def test_after_the_limit_even_the_right_password_is_429(
    client: AsyncClient, bob: RegisteredUser, caplog: pytest.LogCaptureFixture
) -> None:
    await fail(client, bob.email)
    assert "login locked after 3 failures" in caplog.text
    assert bob.email not in caplog.text

    response = await login(client, bob.email, PASSWORD)

    assert response.status_code == 429
    assert response.headers["content-type"] == "application/problem+json"
    assert 0 < int(response.headers["retry-after"]) <= WINDOW_SECONDS
    assert response.json()["errors"] == {"credentials": ["too many failed attempts"]}


async def test_the_oauth2_token_endpoint_shares_the_limit(
    client: AsyncClient, bob: RegisteredUser
) -> None:
    await fail(client, bob.email)

    response = await client.post(
        "/api/users/token", data={"username": bob.email, "password": PASSWORD}
    )

    assert response.status_code == 429


async def test_a_success_resets_the_count(client: AsyncClient, bob: RegisteredUser) -> None:
    await fail(client, bob.email, LIMIT - 1)
    assert (await login(client, bob.email, PASSWORD)).status_code == 200

    await fail(client, bob.email, LIMIT - 1)

    assert (await login(client, bob.email, PASSWORD)).status_code == 200


async def test_the_limit_is_per_email_and_client_address(
    client: AsyncClient, elsewhere: AsyncClient, bob: RegisteredUser
) -> None:
    alice = await register(client, "alice")
    await fail(client, bob.email)

    # Bob, from where he usually logs in, is not locked out by guesses from elsewhere.
    assert (await login(elsewhere, bob.email, PASSWORD)).status_code == 200
    assert (await login(client, alice.email, PASSWORD)).status_code == 200
    assert (await login(client, bob.email, PASSWORD)).status_code == 429


async def test_unknown_emails_are_throttled_alike(client: AsyncClient) -> None:
    # Otherwise the 429 would tell which emails are registered.
    await fail(client, "nobody@example.com")

    response = await login(client, "nobody@example.com", PASSWORD)

    assert response.status_code == 429


async def test_the_lock_ends_with_the_window(
    client: AsyncClient, session: AsyncSession, bob: RegisteredUser
) -> None:
    await fail(client, bob.email)

    await session.execute(
        update(LoginFailures).values(
            window_started_at=LoginFailures.window_started_at - timedelta(seconds=WINDOW_SECONDS)
        )
    )
    await session.flush()

    assert (await login(client, bob.email, PASSWORD)).status_code == 200


async def test_failures_are_stored_without_emails_and_expired_ones_swept(
    client: AsyncClient, session: AsyncSession
) -> None:
    long_ago = datetime.now(UTC) - timedelta(days=1)
    session.add_all(
        LoginFailures(key=f"{n:064x}", count=1, window_started_at=long_ago) for n in range(5)
    )
    await session.flush()

    await fail(client, "carol@example.com", 1)

    keys = (await session.scalars(select(LoginFailures.key))).all()
    assert len(keys) == 1
    assert "carol" not in keys[0]
    assert len(keys[0]) == 64
    assert await session.scalar(select(func.count()).select_from(LoginFailures)) == 1
