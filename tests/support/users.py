"""Creating users and signing them in through the API, as a client would."""

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from app.identity.users.models import User

_counter = itertools.count(1)
PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class RegisteredUser:
    username: str
    email: str
    token: str  # the access token
    refresh_token: str = ""
    session_id: int = 0

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Token {self.token}"}


def signed_in(body: dict[str, Any]) -> RegisteredUser:
    """The user of a sign-in response (registration, login, refresh)."""
    user, session = body["user"], body["session"]
    return RegisteredUser(
        username=user["username"],
        email=user["email"],
        token=user["token"],
        refresh_token=session["refreshToken"],
        session_id=session["id"],
    )


async def register(client: AsyncClient, username: str | None = None) -> RegisteredUser:
    username = username or f"user{next(_counter)}"
    email = f"{username}@example.com"
    response = await client.post(
        "/api/users",
        json={"user": {"username": username, "email": email, "password": PASSWORD}},
    )
    assert response.status_code == 201, response.text
    return signed_in(response.json())


async def log_in(
    client: AsyncClient, user: RegisteredUser, password: str = PASSWORD
) -> RegisteredUser:
    """Another session of the same user."""
    response = await client.post(
        "/api/users/login", json={"user": {"email": user.email, "password": password}}
    )
    assert response.status_code == 200, response.text
    return signed_in(response.json())


async def as_role(client: AsyncClient, session: AsyncSession, role: str) -> RegisteredUser:
    """A newly registered user given `role` directly in the test's transaction."""
    user = await register(client)
    await session.execute(update(User).where(User.username == user.username).values(role=role))
    return user


async def promote(
    client: AsyncClient, admin: RegisteredUser, user: RegisteredUser, role: str
) -> None:
    """`admin` gives `user` the role through the API (`PUT /api/admin/users/{username}/role`)."""
    promoted = await client.put(
        f"/api/admin/users/{user.username}/role", headers=admin.headers, json={"role": role}
    )
    assert promoted.status_code == 200, promoted.text
    assert promoted.json()["user"]["role"] == role


# Who may act, from nobody signed in up the ladder: the columns of a role x action matrix.
ROLES = ("anonymous", "user", "moderator", "admin")


def role_matrix_cells(matrix: Mapping[str, tuple[object, tuple[int, ...]]]) -> list[Any]:
    """One test case per (action, role) of `matrix` (action: (how, a status per role))."""
    return [
        pytest.param(action, role, statuses[i], id=f"{role}-{action.replace(' ', '-')}")
        for action, (_, statuses) in matrix.items()
        for i, role in enumerate(ROLES)
    ]
