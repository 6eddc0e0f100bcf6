"""Passkey ceremonies without a browser: the options the server hands out, and what it
refuses before any signature is checked (stale ceremonies, malformed answers, bad input).
The browser end to end is tests/browser/test_passkeys_in_chromium.py."""

from datetime import timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.identity.sessions.models import UserSession
from app.identity.users.service import REAUTHENTICATION_REQUIRED
from tests.support.users import register

REGISTRATION = "/api/user/passkeys/registration"
SIGN_IN_OPTIONS = "/api/users/login/passkey/options"


async def test_sign_in_options_ask_any_passkey_of_this_site_with_user_verification(
    client: AsyncClient, settings: Settings
) -> None:
    response = await client.post(SIGN_IN_OPTIONS)
    assert response.status_code == 200
    options = response.json()["options"]
    assert options["rpId"] == settings.webauthn_rp_id
    assert options["userVerification"] == "required"
    assert options["allowCredentials"] == []  # usernameless
    assert len(options["challenge"]) >= 43  # 32 random bytes at least, base64url
    assert response.json()["ceremony"] != options["challenge"]


async def test_registration_options_name_the_account_and_need_a_recent_password(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    bob = await register(client)
    started = await client.post(REGISTRATION, headers=bob.headers)
    assert started.status_code == 200
    options = started.json()["options"]
    assert options["rp"] == {"id": settings.webauthn_rp_id, "name": settings.app_name}
    assert options["user"]["name"] == bob.email
    assert options["user"]["displayName"] == bob.username
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "required"

    await session.execute(
        update(UserSession)
        .where(UserSession.id == bob.session_id)
        .values(authenticated_at=UserSession.authenticated_at - timedelta(minutes=11))
    )
    stale = await client.post(REGISTRATION, headers=bob.headers)
    assert stale.status_code == 403
    assert stale.json()["type"] == REAUTHENTICATION_REQUIRED


async def test_a_ceremony_answers_only_its_own_purpose_and_account_once(
    client: AsyncClient,
) -> None:
    bob, alice = await register(client), await register(client)
    bobs = (await client.post(REGISTRATION, headers=bob.headers)).json()["ceremony"]
    sign_in = (await client.post(SIGN_IN_OPTIONS)).json()["ceremony"]
    junk = {"id": "AAAA", "rawId": "AAAA", "type": "public-key", "response": {}}

    for ceremony, headers in ((bobs, alice.headers), (sign_in, bob.headers), ("nope", bob.headers)):
        answer = await client.post(
            "/api/user/passkeys", headers=headers, json={"ceremony": ceremony, "credential": junk}
        )
        assert answer.status_code == 422
        assert answer.json()["errors"] == {"ceremony": ["is invalid or expired"]}

    malformed = await client.post(
        "/api/user/passkeys", headers=bob.headers, json={"ceremony": bobs, "credential": junk}
    )
    assert malformed.status_code == 422
    assert "credential" in malformed.json()["errors"]
    spent = await client.post(
        "/api/user/passkeys", headers=bob.headers, json={"ceremony": bobs, "credential": junk}
    )
    assert spent.json()["errors"] == {"ceremony": ["is invalid or expired"]}

    registration_as_sign_in = await client.post(
        "/api/users/login/passkey", json={"ceremony": bobs, "credential": junk}
    )
    assert registration_as_sign_in.status_code == 401
    unparsable = await client.post(
        "/api/users/login/passkey", json={"ceremony": sign_in, "credential": junk}
    )
    assert unparsable.status_code == 422
    assert "credential" in unparsable.json()["errors"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"credential": "not an object"}, "credential"),
        ({"credential": ["a", "list"]}, "credential"),
        ({"credential": {"id": "a\x00b"}}, "credential"),
        ({"credential": {"response": {"clientDataJSON": ["\x00"]}}}, "credential"),
        ({"ceremony": ""}, "ceremony"),
        ({"ceremony": "c" * 200}, "ceremony"),
        ({"name": ""}, "name"),
        ({"name": "n" * 101}, "name"),
    ],
)
async def test_bad_input_is_a_422_naming_the_field(
    client: AsyncClient, body: dict[str, Any], field: str
) -> None:
    bob = await register(client)
    ceremony = (await client.post(REGISTRATION, headers=bob.headers)).json()["ceremony"]
    valid = {"ceremony": ceremony, "credential": {"id": "x"}, "name": "laptop"}
    response = await client.post("/api/user/passkeys", headers=bob.headers, json=valid | body)
    assert response.status_code == 422, response.text
    assert field in response.json()["errors"]


async def test_removing_another_accounts_or_an_unknown_passkey_is_a_404(
    client: AsyncClient,
) -> None:
    bob = await register(client)
    assert (await client.delete("/api/user/passkeys/12345", headers=bob.headers)).status_code == 404
    assert (await client.get("/api/user/passkeys", headers=bob.headers)).json() == {"passkeys": []}
