"""Revocation applies to the very next request: logout, everywhere, one, password, deactivation."""

import pytest
from httpx import AsyncClient
from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.identity.users.models import User
from tests.support.users import PASSWORD, RegisteredUser, log_in, register


async def _me(client: AsyncClient, user: RegisteredUser) -> int:
    return (await client.get("/api/user", headers=user.headers)).status_code


async def _refresh(client: AsyncClient, user: RegisteredUser) -> int:
    response = await client.post("/api/users/refresh", json={"refreshToken": user.refresh_token})
    return response.status_code


async def test_logout_ends_this_session_only(client: AsyncClient) -> None:
    laptop = await register(client)
    phone = await log_in(client, laptop)

    response = await client.post("/api/users/logout", headers=laptop.headers)

    assert response.status_code == 204
    assert await _me(client, laptop) == 401
    assert await _refresh(client, laptop) == 401
    assert await _me(client, phone) == 200
    assert (await client.post("/api/users/logout", headers=laptop.headers)).status_code == 401


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("POST", "/api/users/logout"),
        ("GET", "/api/user/sessions"),
        ("DELETE", "/api/user/sessions"),
        ("DELETE", "/api/user/sessions/1"),
    ],
)
async def test_session_operations_need_a_token(client: AsyncClient, method: str, url: str) -> None:
    response = await client.request(method, url)

    assert response.status_code == 401
    assert response.json()["errors"] == {"token": ["is missing"]}


async def test_logout_everywhere_ends_every_session(client: AsyncClient) -> None:
    laptop = await register(client)
    phone = await log_in(client, laptop)
    someone_else = await register(client)

    response = await client.delete("/api/user/sessions", headers=laptop.headers)

    assert response.status_code == 204
    for session in (laptop, phone):
        assert await _me(client, session) == 401
        assert await _refresh(client, session) == 401
    assert await _me(client, someone_else) == 200


async def test_the_session_list_shows_live_sessions_and_marks_this_one(
    client: AsyncClient,
) -> None:
    laptop = await register(client)
    phone = await log_in(client, laptop)
    gone = await log_in(client, laptop)
    await client.post("/api/users/logout", headers=gone.headers)

    response = await client.get(
        "/api/user/sessions", headers=phone.headers | {"User-Agent": "phone/1.0"}
    )

    assert response.status_code == 200
    sessions = response.json()["sessions"]
    assert {s["id"] for s in sessions} == {laptop.session_id, phone.session_id}
    current = [s["id"] for s in sessions if s["current"]]
    assert current == [phone.session_id]
    assert set(sessions[0]) == {
        "id",
        "createdAt",
        "lastRefreshedAt",
        "expiresAt",
        "clientAddress",
        "userAgent",
        "current",
    }


async def test_revoking_one_session_rejects_its_tokens_at_once(client: AsyncClient) -> None:
    laptop = await register(client)
    lost_phone = await log_in(client, laptop)
    assert await _me(client, lost_phone) == 200  # its signature is cached from now on

    response = await client.delete(
        f"/api/user/sessions/{lost_phone.session_id}", headers=laptop.headers
    )

    assert response.status_code == 204
    assert await _me(client, lost_phone) == 401
    assert await _refresh(client, lost_phone) == 401
    assert await _me(client, laptop) == 200


async def test_only_your_own_live_sessions_can_be_revoked(client: AsyncClient) -> None:
    alice = await register(client)
    bob = await register(client)
    ended = await log_in(client, alice)
    await client.post("/api/users/logout", headers=ended.headers)

    for session_id in (bob.session_id, ended.session_id, 2**62):
        response = await client.delete(f"/api/user/sessions/{session_id}", headers=alice.headers)
        assert response.status_code == 404
        assert response.json()["errors"] == {"session": ["not found"]}
    assert await _me(client, bob) == 200


async def test_a_new_password_ends_every_other_session(client: AsyncClient) -> None:
    laptop = await register(client)
    phone = await log_in(client, laptop)
    tablet = await log_in(client, laptop)

    response = await client.put(
        "/api/user", headers=laptop.headers, json={"user": {"password": "a new passphrase"}}
    )

    assert response.status_code == 200
    assert await _me(client, phone) == 401
    assert await _refresh(client, tablet) == 401
    # The session that changed it continues, with the token it had and the one it got.
    assert await _me(client, laptop) == 200
    new_token = response.json()["user"]["token"]
    me = await client.get("/api/user", headers={"Authorization": f"Token {new_token}"})
    assert me.status_code == 200
    assert await _refresh(client, laptop) == 200


async def test_other_changes_leave_the_sessions_alone(client: AsyncClient) -> None:
    laptop = await register(client)
    phone = await log_in(client, laptop)

    await client.put("/api/user", headers=laptop.headers, json={"user": {"bio": "hello"}})

    assert await _me(client, phone) == 200


async def test_a_deactivated_account_is_refused_at_once(
    client: AsyncClient, session: AsyncSession
) -> None:
    bob = await register(client)
    assert await _me(client, bob) == 200

    await session.execute(
        update(User).where(User.username == bob.username).values(deactivated_at=func.now())
    )

    response = await client.get("/api/user", headers=bob.headers)
    assert response.status_code == 401
    assert response.json()["detail"] == "The account is deactivated."
    assert await _refresh(client, bob) == 401
    login = {"user": {"email": bob.email, "password": PASSWORD}}
    right_password = await client.post("/api/users/login", json=login)
    assert right_password.status_code == 403
    assert right_password.json()["errors"] == {"account": ["is deactivated"]}
    login["user"]["password"] = "not the password"
    assert (await client.post("/api/users/login", json=login)).status_code == 401
