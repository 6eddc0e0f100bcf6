"""Passkeys end to end: headless Chromium with its virtual authenticator (the DevTools
protocol's `WebAuthn` domain: a real CTAP2 authenticator in software, keys and signatures
included), a page on the relying party's origin, and the production server verifying
every answer for real.

The page is served by the test (Playwright answers its URL), on the origin the server
trusts (`WEBAUTHN_ORIGINS`); it calls `navigator.credentials` and hands the JSON answers
back; the test sends them to the server as a client would.
"""

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page

from app.core.config import Settings
from tests.deploy.server import RunningServer, production_server
from tests.support.database import migrated_scratch_database
from tests.support.passkeys import (
    create_credential,
    get_assertion,
    page_with_authenticator,
    serve_page,
)

PAGE_ORIGIN = "http://localhost:8765"  # never dialled: Playwright serves the page
OTHER_ORIGIN = "http://localhost:8766"  # on the RP id too, but not a trusted origin


@pytest.fixture(scope="module")
async def server(settings: Settings) -> AsyncIterator[RunningServer]:
    async with migrated_scratch_database(settings.database_url, "passkeys") as url:
        environment = {"WEBAUTHN_RP_ID": "localhost", "WEBAUTHN_ORIGINS": PAGE_ORIGIN}
        with production_server(workers=1, DATABASE_URL=url, **environment) as running:
            yield running


async def _signed_up(api: httpx.AsyncClient, name: str) -> dict[str, str]:
    user = {"username": name, "email": f"{name}@example.com", "password": "a passkey passphrase"}
    response = await api.post("/api/users", json={"user": user})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Token {response.json()['user']['token']}"}


async def _register(api: httpx.AsyncClient, page: Page, headers: dict[str, str]) -> dict[str, Any]:
    started = await api.post("/api/user/passkeys/registration", headers=headers)
    assert started.status_code == 200, started.text
    credential = await create_credential(page, started.json()["options"])
    registered = await api.post(
        "/api/user/passkeys",
        headers=headers,
        json={"ceremony": started.json()["ceremony"], "credential": credential, "name": "laptop"},
    )
    assert registered.status_code == 201, registered.text
    passkey: dict[str, Any] = registered.json()["passkey"]
    return passkey


async def _assertion(api: httpx.AsyncClient, page: Page) -> tuple[str, dict[str, Any]]:
    started = await api.post("/api/users/login/passkey/options")
    assert started.status_code == 200, started.text
    return started.json()["ceremony"], await get_assertion(page, started.json()["options"])


async def test_register_a_passkey_and_sign_in_with_it_without_a_username(
    server: RunningServer, browser: Browser
) -> None:
    page = await page_with_authenticator(browser, PAGE_ORIGIN)
    async with httpx.AsyncClient(base_url=server.base_url, timeout=10) as api:
        headers = await _signed_up(api, "passkeyholder")
        passkey = await _register(api, page, headers)
        assert passkey["name"] == "laptop"
        listed = (await api.get("/api/user/passkeys", headers=headers)).json()["passkeys"]
        assert [p["id"] for p in listed] == [passkey["id"]]

        ceremony, credential = await _assertion(api, page)
        signed_in = await api.post(
            "/api/users/login/passkey", json={"ceremony": ceremony, "credential": credential}
        )
        assert signed_in.status_code == 200, signed_in.text
        body = signed_in.json()
        assert body["user"]["username"] == "passkeyholder"
        me = await api.get("/api/user", headers={"Authorization": f"Token {body['user']['token']}"})
        assert me.status_code == 200

        # The same answer again: its ceremony is spent, and another ceremony's challenge
        # is not the one it signed.
        replayed = await api.post(
            "/api/users/login/passkey", json={"ceremony": ceremony, "credential": credential}
        )
        assert replayed.status_code == 401
        assert replayed.json()["errors"] == {"ceremony": ["is invalid or expired"]}
        fresh, _ = await _assertion(api, page)
        stale = await api.post(
            "/api/users/login/passkey", json={"ceremony": fresh, "credential": credential}
        )
        assert stale.status_code == 401

        listed = (await api.get("/api/user/passkeys", headers=headers)).json()["passkeys"]
        assert listed[0]["lastUsedAt"] is not None
    await page.close()


async def test_an_answer_signed_for_another_origin_is_refused(
    server: RunningServer, browser: Browser
) -> None:
    page = await page_with_authenticator(browser, PAGE_ORIGIN)
    elsewhere = await page_with_authenticator(browser, OTHER_ORIGIN)
    async with httpx.AsyncClient(base_url=server.base_url, timeout=10) as api:
        headers = await _signed_up(api, "originchecked")
        started = await api.post("/api/user/passkeys/registration", headers=headers)
        credential = await create_credential(elsewhere, started.json()["options"])
        refused = await api.post(
            "/api/user/passkeys",
            headers=headers,
            json={"ceremony": started.json()["ceremony"], "credential": credential},
        )
        assert refused.status_code == 422
        assert "origin" in refused.json()["errors"]["credential"][0].lower()

        # The registered passkey, asked from a page of the other origin (the same
        # authenticator, moved there): the browser signs that origin in, the server refuses.
        await _register(api, page, headers)
        await serve_page(page, OTHER_ORIGIN)
        ceremony, credential = await _assertion(api, page)
        signed = await api.post(
            "/api/users/login/passkey", json={"ceremony": ceremony, "credential": credential}
        )
        assert signed.status_code == 401
        assert "origin" in signed.json()["errors"]["credential"][0].lower()
        unknown = await api.post(
            "/api/users/login/passkey", json={"ceremony": "nope", "credential": {"id": "x"}}
        )
        assert unknown.status_code == 401
    await page.close()
    await elsewhere.close()


async def test_a_removed_passkey_no_longer_signs_in(
    server: RunningServer, browser: Browser
) -> None:
    page = await page_with_authenticator(browser, PAGE_ORIGIN)
    async with httpx.AsyncClient(base_url=server.base_url, timeout=10) as api:
        headers = await _signed_up(api, "removespasskey")
        passkey = await _register(api, page, headers)
        removed = await api.delete(f"/api/user/passkeys/{passkey['id']}", headers=headers)
        assert removed.status_code == 204

        ceremony, credential = await _assertion(api, page)
        refused = await api.post(
            "/api/users/login/passkey", json={"ceremony": ceremony, "credential": credential}
        )
        assert refused.status_code == 401
        assert refused.json()["errors"] == {"credential": ["is not registered"]}
    await page.close()
