"""Login throttling: a few failures per email and client address, per address across emails
and per account across addresses, then 429 until the window ends (or a reset, for an account)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient, Response
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.ratelimit import LoginFailures
from app.identity.mail_links import tokens as email_tokens
from app.identity.mail_links.models import EmailTokenPurpose
from app.identity.users.models import User
from tests.support.users import PASSWORD, RegisteredUser, register

LIMIT = 3
ADDRESS_LIMIT = 5
ACCOUNT_LIMIT = 4
WINDOW_SECONDS = 600


@pytest.fixture(autouse=True)
def strict_limits(app: FastAPI, settings: Settings) -> None:
    app.state.settings = settings.model_copy(
        update={
            "login_failure_limit": LIMIT,
            "login_failure_window_seconds": WINDOW_SECONDS,
            "login_address_failure_limit": ADDRESS_LIMIT,
            "login_account_failure_limit": ACCOUNT_LIMIT,
        }
    )


@asynccontextmanager
async def client_at(app: FastAPI, address: str) -> AsyncIterator[AsyncClient]:
    """A client whose requests the app sees coming from `address` (in process: no traffic)."""
    transport = ASGITransport(app=app, client=(address, 40000))
    async with AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


@pytest.fixture
async def elsewhere(app: FastAPI) -> AsyncIterator[AsyncClient]:
    """A client connecting from another address."""
    async with client_at(app, "203.0.113.7") as client:
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
    expired = [f"{n:064x}" for n in range(5)]
    session.add_all(LoginFailures(key=key, count=1, window_started_at=long_ago) for key in expired)
    await session.flush()
    before = set((await session.scalars(select(LoginFailures.key))).all()) - set(expired)

    await fail(client, "carol@example.com", 1)

    keys = set((await session.scalars(select(LoginFailures.key))).all())
    assert not keys & set(expired)  # swept
    # Counted for the (email, address) pair, the address and the account: three hashes, no
    # email and no address among them.
    new = keys - before
    assert len(new) == 3
    assert all(len(key) == 64 and "carol" not in key for key in new)


async def test_spraying_one_guess_at_many_emails_is_429_past_the_address_limit(
    client: AsyncClient, elsewhere: AsyncClient
) -> None:
    for n in range(ADDRESS_LIMIT):
        assert (await login(client, f"sprayed{n}@example.com", "guess")).status_code == 401

    response = await login(client, "one-more@example.com", "guess")

    assert response.status_code == 429
    assert "from this address" in response.json()["detail"]
    # Another address is not held responsible.
    assert (await login(elsewhere, "one-more@example.com", "guess")).status_code == 401


async def test_successful_logins_do_not_use_up_the_address_limit(
    client: AsyncClient, bob: RegisteredUser
) -> None:
    for _ in range(ADDRESS_LIMIT + 2):
        assert (await login(client, bob.email, PASSWORD)).status_code == 200
    assert (await login(client, "nobody@example.com", "guess")).status_code == 401


async def test_guesses_from_many_addresses_lock_the_account_until_a_password_reset(
    app: FastAPI, client: AsyncClient, session: AsyncSession, bob: RegisteredUser
) -> None:
    for n in range(ACCOUNT_LIMIT):
        async with client_at(app, f"198.51.100.{n + 1}") as guesser:
            assert (await login(guesser, bob.email, "guess")).status_code == 401

    async with client_at(app, "192.0.2.50") as owner:
        locked = await login(owner, bob.email, PASSWORD)
        assert locked.status_code == 429
        assert locked.json()["errors"] == {"credentials": ["account temporarily locked"]}
        assert "reset the password" in locked.json()["detail"]

        account = (await session.scalars(select(User).where(User.email == bob.email))).one()
        secret = await email_tokens.issue(
            session, account, EmailTokenPurpose.PASSWORD_RESET, timedelta(minutes=5)
        )
        reset = await owner.post(
            "/api/users/password-reset/confirm",
            json={"token": secret, "password": "a new long password"},
        )
        assert reset.status_code == 204, reset.text

        assert (await login(owner, bob.email, "a new long password")).status_code == 200
