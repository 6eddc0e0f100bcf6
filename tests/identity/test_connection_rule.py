"""Every password hash and verification runs holding no pooled connection.

On a pool of one connection, the hash of each route is held open (tests/support/
one_connection.py) while another user reads their account: the read is served at once,
and the connection was not checked out inside the hash. Before the rule, login, sign-up,
a password change and a reset each kept the request's connection while argon2 ran, so
one client's concurrent attempts could take the whole pool.
"""

import asyncio
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

import pytest
from httpx import Response
from sqlalchemy import select

from app.core.auth import hash_password, verify_password
from app.identity.mail_links import password_reset
from app.identity.mail_links import tokens as email_tokens
from app.identity.mail_links.models import EmailTokenPurpose
from app.identity.users import service as users_service
from app.identity.users.models import User
from tests.support.committed import CommittedApp
from tests.support.one_connection import HeldOpen, one_connection_app
from tests.support.users import PASSWORD, RegisteredUser, register

NEW_PASSWORD = "another long password"
Route = Callable[[CommittedApp, RegisteredUser], Coroutine[Any, Any, Response]]


async def _log_in(oc: CommittedApp, user: RegisteredUser) -> Response:
    return await oc.client.post(
        "/api/users/login", json={"user": {"email": user.email, "password": PASSWORD}}
    )


async def _sign_up(oc: CommittedApp, user: RegisteredUser) -> Response:
    name = f"{user.username}b"
    return await oc.client.post(
        "/api/users",
        json={"user": {"username": name, "email": f"{name}@example.com", "password": PASSWORD}},
    )


async def _change_password(oc: CommittedApp, user: RegisteredUser) -> Response:
    return await oc.client.put(
        "/api/user", headers=user.headers, json={"user": {"password": NEW_PASSWORD}}
    )


async def _reset_password(oc: CommittedApp, user: RegisteredUser) -> Response:
    async with oc.app.state.sessions.transactional.begin() as session:
        account = (await session.scalars(select(User).where(User.username == user.username))).one()
        secret = await email_tokens.issue(
            session, account, EmailTokenPurpose.PASSWORD_RESET, timedelta(minutes=5)
        )
    return await oc.client.post(
        "/api/users/password-reset/confirm", json={"token": secret, "password": NEW_PASSWORD}
    )


ROUTES: dict[str, tuple[Route, object, str, int]] = {
    # route, the module whose name is held, that name, the route's success status
    "log in": (_log_in, users_service, "verify_password", 200),
    "sign up": (_sign_up, users_service, "hash_password", 201),
    "change the password": (_change_password, users_service, "hash_password", 200),
    "reset the password": (_reset_password, password_reset, "hash_password", 204),
}
REAL: dict[str, Callable[..., Any]] = {
    "verify_password": verify_password,
    "hash_password": hash_password,
}


@pytest.mark.parametrize("route", sorted(ROUTES))
async def test_other_requests_are_served_while_a_password_is_hashed(
    route: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    call, module, name, success = ROUTES[route]
    async with one_connection_app() as oc:
        user = await register(oc.client, f"{oc.prefix}u")
        reader = await register(oc.client, f"{oc.prefix}r")
        held = HeldOpen(REAL[name])
        held.pool = oc.checked_out
        monkeypatch.setattr(module, name, held)

        slow = asyncio.create_task(call(oc, user))
        assert await asyncio.to_thread(held.entered.wait, 10)
        try:
            read = await oc.client.get("/api/user", headers=reader.headers)
        finally:
            held.released.set()
        response = await slow

    assert read.status_code == 200, read.text  # not a 503 after the pool's timeout
    assert held.checked_out_inside == 0
    assert response.status_code == success, response.text
