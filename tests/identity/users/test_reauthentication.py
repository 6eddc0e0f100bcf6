"""Sudo mode: a new email or password needs the password proven recently in the session.

A stolen access token alone (the session proved the password long ago) can no longer
take the account over by changing its email or password; the owner proves the password
again (`POST /api/user/reauthenticate`) and retries.
"""

from datetime import timedelta

import pytest
from httpx import AsyncClient
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from app.identity.sessions.models import UserSession
from app.identity.users.service import REAUTHENTICATION_REQUIRED
from tests.support.users import PASSWORD, RegisteredUser, register

NEW_PASSWORD = "a different passphrase"


async def _proven_long_ago(session: AsyncSession, user: RegisteredUser) -> None:
    await session.execute(
        update(UserSession)
        .where(UserSession.id == user.session_id)
        .values(authenticated_at=UserSession.authenticated_at - timedelta(minutes=11))
    )
    await session.flush()


async def _change(client: AsyncClient, user: RegisteredUser, **fields: str) -> int:
    response = await client.put("/api/user", headers=user.headers, json={"user": fields})
    return response.status_code


async def test_right_after_signing_in_the_email_and_password_change(client: AsyncClient) -> None:
    bob = await register(client)  # the RealWorld suites do exactly this

    assert await _change(client, bob, email="bob.new@example.com") == 200
    assert await _change(client, bob, password=NEW_PASSWORD) == 200


@pytest.mark.parametrize(
    "fields", [{"email": "taken.over@example.com"}, {"password": "taken over password"}]
)
async def test_a_sign_in_proven_long_ago_is_asked_to_reauthenticate(
    client: AsyncClient, session: AsyncSession, fields: dict[str, str]
) -> None:
    bob = await register(client)
    await _proven_long_ago(session, bob)

    response = await client.put("/api/user", headers=bob.headers, json={"user": fields})

    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == REAUTHENTICATION_REQUIRED
    assert problem["errors"] == {"password": ["re-authentication required"]}
    assert "POST /api/user/reauthenticate" in problem["detail"]
    me = (await client.get("/api/user", headers=bob.headers)).json()["user"]
    assert me["email"] == bob.email  # nothing changed


async def test_other_fields_and_the_same_email_need_no_reauthentication(
    client: AsyncClient, session: AsyncSession
) -> None:
    bob = await register(client)
    await _proven_long_ago(session, bob)

    assert await _change(client, bob, bio="still me") == 200
    assert await _change(client, bob, email=bob.email.upper()) == 200


async def test_reauthenticating_with_the_password_opens_the_window_again(
    client: AsyncClient, session: AsyncSession
) -> None:
    bob = await register(client)
    await _proven_long_ago(session, bob)
    url = "/api/user/reauthenticate"

    wrong = await client.post(url, headers=bob.headers, json={"user": {"password": "guess"}})
    assert wrong.status_code == 401
    assert wrong.json()["errors"] == {"password": ["is incorrect"]}
    assert await _change(client, bob, password=NEW_PASSWORD) == 403

    right = await client.post(url, headers=bob.headers, json={"user": {"password": PASSWORD}})
    assert right.status_code == 204
    assert await _change(client, bob, password=NEW_PASSWORD) == 200
    assert (await client.post(url, json={"user": {"password": PASSWORD}})).status_code == 401
