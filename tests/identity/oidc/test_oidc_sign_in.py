"""Sign-in with an OpenID Connect provider, against a real provider on loopback
(tests/support/oidc_provider.py): the code flow with PKCE, state and nonce, the ID token
verified by the provider's keys, and the linking rules."""

import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI
from httpx import AsyncClient, Response
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.outbound_http import create_http_client, get_http_client
from app.identity.two_factor.service import TWO_FACTOR_REQUIRED
from tests.support.audit import latest_audit_event
from tests.support.committed import committed_app
from tests.support.oidc_provider import (
    CLIENT_ID,
    CLIENT_SECRET,
    REDIRECT_URI,
    Provider,
    ProviderUser,
    running_provider,
)
from tests.support.users import RegisteredUser, as_role, register, signed_in

BEGIN = "/api/users/login/oidc"
CALLBACK = "/api/users/login/oidc/callback"


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    with running_provider() as running:
        yield running


@pytest.fixture
async def configured(app: FastAPI, settings: Settings, provider: Provider) -> AsyncIterator[None]:
    """The app pointed at the loopback provider, with a real outgoing client."""
    app.state.settings = settings.model_copy(
        update={
            "oidc_issuer": provider.base_url,
            "oidc_client_id": CLIENT_ID,
            "oidc_client_secret": SecretStr(CLIENT_SECRET),
            "oidc_redirect_uri": REDIRECT_URI,
        }
    )
    async with create_http_client(app.state.settings) as http:
        app.dependency_overrides[get_http_client] = lambda: http
        yield
    app.dependency_overrides.clear()


def _as(provider: Provider, email: str, *, verified: bool = True) -> str:
    subject = f"subject-{uuid.uuid4().hex[:8]}"
    provider.user = ProviderUser(subject, email, verified)
    return subject


async def _at_the_provider(authorization_url: str) -> dict[str, str]:
    """What a browser would bring back: the provider approves and redirects."""
    async with httpx.AsyncClient() as browser:
        answer = await browser.get(authorization_url)
    assert answer.status_code == 302, answer.text
    location = urlsplit(answer.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT_URI
    return {key: values[0] for key, values in parse_qs(location.query).items()}


async def _sign_in(client: AsyncClient, **tamper: str) -> Response:
    started = await client.post(BEGIN)
    assert started.status_code == 200, started.text
    back = await _at_the_provider(started.json()["authorizationUrl"])
    return await client.post(CALLBACK, json={"code": back["code"], "state": back["state"]} | tamper)


async def test_a_verified_email_signs_in_and_links_its_account(
    client: AsyncClient, session: AsyncSession, provider: Provider, configured: None
) -> None:
    bob = await register(client)
    subject = _as(provider, bob.email)

    started = await client.post(BEGIN)
    url = urlsplit(started.json()["authorizationUrl"])
    query = parse_qs(url.query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["client_id"] == [CLIENT_ID]
    assert len(query["state"][0]) >= 43
    assert len(query["nonce"][0]) >= 43
    back = await _at_the_provider(started.json()["authorizationUrl"])
    answer = await client.post(CALLBACK, json=back)

    assert answer.status_code == 200, answer.text
    me = signed_in(answer.json())
    assert me.username == bob.username
    linked = (await client.get("/api/user/oidc", headers=me.headers)).json()["identities"]
    assert [(i["issuer"], i["subject"]) for i in linked] == [(provider.base_url, subject)]
    admin = await as_role(client, session, "admin")
    assert (await latest_audit_event(client, admin, "oidc.linked"))["details"]["by"] == (
        "verified email"
    )
    event = await latest_audit_event(client, admin, "login.succeeded")
    assert event["details"]["method"] == "oidc"

    # Linked now: the provider account signs in even once its email is no longer verified.
    provider.user = ProviderUser(subject, "changed@example.net", email_verified=False)
    again = await _sign_in(client)
    assert again.status_code == 200
    assert signed_in(again.json()).username == bob.username


async def test_an_unverified_email_links_nothing(
    client: AsyncClient, provider: Provider, configured: None
) -> None:
    bob = await register(client)
    _as(provider, bob.email, verified=False)
    answer = await _sign_in(client)
    assert answer.status_code == 403
    assert answer.json()["errors"] == {"account": ["is not linked"]}
    assert (await client.get("/api/user/oidc", headers=bob.headers)).json()["identities"] == []


async def test_no_account_is_made_for_an_unknown_email(
    client: AsyncClient, provider: Provider, configured: None
) -> None:
    _as(provider, f"nobody-{uuid.uuid4().hex[:6]}@example.com")
    answer = await _sign_in(client)
    assert answer.status_code == 403
    assert answer.json()["errors"] == {"account": ["does not exist"]}


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ("wrong_nonce", "does not carry this sign-in's nonce"),
        ("expired", "has expired"),
        ("wrong_key", "is not signed by the provider"),
        ("wrong_audience", "is not for this service (issuer or audience)"),
    ],
)
async def test_a_wrong_id_token_is_refused(
    client: AsyncClient, provider: Provider, configured: None, fault: Any, message: str
) -> None:
    bob = await register(client)
    _as(provider, bob.email)
    provider.fault = fault
    answer = await _sign_in(client)
    assert answer.status_code == 401
    assert answer.json()["errors"] == {"idToken": [message]}
    assert (await client.get("/api/user/oidc", headers=bob.headers)).json()["identities"] == []


async def test_a_wrong_or_spent_state_is_refused_before_the_provider_is_asked(
    client: AsyncClient, provider: Provider, configured: None
) -> None:
    bob = await register(client)
    _as(provider, bob.email)
    started = await client.post(BEGIN)
    back = await _at_the_provider(started.json()["authorizationUrl"])
    asked = provider.token_requests

    forged = await client.post(CALLBACK, json={"code": back["code"], "state": "forged-state"})
    assert forged.status_code == 401
    assert forged.json()["errors"] == {"state": ["is invalid or expired"]}
    assert provider.token_requests == asked  # the code was never sent

    assert (await client.post(CALLBACK, json=back)).status_code == 200
    spent = await client.post(CALLBACK, json=back)
    assert spent.status_code == 401
    assert spent.json()["errors"] == {"state": ["is invalid or expired"]}


async def test_a_code_the_provider_refuses_is_a_401(
    client: AsyncClient, provider: Provider, configured: None
) -> None:
    bob = await register(client)
    _as(provider, bob.email)
    answer = await _sign_in(client, code="not-a-code-the-provider-issued")
    assert answer.status_code == 401
    assert answer.json()["errors"] == {"code": ["was not accepted"]}


async def _link(client: AsyncClient, user: RegisteredUser, headers: dict[str, str]) -> Response:
    started = await client.post("/api/user/oidc", headers=user.headers)
    assert started.status_code == 200, started.text
    back = await _at_the_provider(started.json()["authorizationUrl"])
    return await client.post("/api/user/oidc/callback", headers=headers, json=back)


async def test_linking_while_signed_in_then_signing_in_with_it(
    client: AsyncClient, provider: Provider, configured: None
) -> None:
    alice, mallory = await register(client), await register(client)
    _as(provider, "alice-at-the-provider@example.org", verified=False)

    # A link begun by one account cannot be finished with another's token.
    stolen = await _link(client, alice, mallory.headers)
    assert stolen.status_code == 401
    linked = await _link(client, alice, alice.headers)
    assert linked.status_code == 201, linked.text
    identity = linked.json()["identity"]

    answer = await _sign_in(client)
    assert answer.status_code == 200
    assert signed_in(answer.json()).username == alice.username
    taken = await _link(client, mallory, mallory.headers)
    assert taken.status_code == 409

    removed = await client.delete(f"/api/user/oidc/{identity['id']}", headers=alice.headers)
    assert removed.status_code == 204
    assert (await _sign_in(client)).status_code == 403  # unlinked, and the email unverified


async def test_an_account_with_two_factor_still_asks_for_its_code(
    client: AsyncClient, provider: Provider, configured: None
) -> None:
    from tests.identity.two_factor.test_two_factor import enrolled  # noqa: PLC0415

    alice = await enrolled(client)
    _as(provider, alice.user.email)
    answer = await _sign_in(client)
    assert answer.status_code == 403
    assert answer.json()["type"] == TWO_FACTOR_REQUIRED


async def test_without_an_issuer_the_operations_are_404(client: AsyncClient) -> None:
    assert (await client.post(BEGIN)).status_code == 404
    answer = await client.post(CALLBACK, json={"code": "c", "state": "s"})
    assert answer.status_code == 404


async def test_a_provider_that_does_not_answer_is_a_502(
    app: FastAPI, client: AsyncClient, settings: Settings
) -> None:
    from tests.support.ports import free_port  # noqa: PLC0415

    app.state.settings = settings.model_copy(
        update={
            "oidc_issuer": f"http://127.0.0.1:{free_port()}",  # nothing listens there
            "oidc_client_id": CLIENT_ID,
            "http_client_retries": 0,
        }
    )
    async with create_http_client(app.state.settings) as http:
        app.dependency_overrides[get_http_client] = lambda: http
        answer = await client.post(BEGIN)
    app.dependency_overrides.clear()
    assert answer.status_code == 502
    assert answer.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "body",
    [
        {"code": "", "state": "s"},
        {"code": "c" * 2049, "state": "s"},
        {"code": "a\x00b", "state": "s"},
        {"code": "c", "state": ""},
        {"code": 5, "state": "s"},
        {"state": "s"},
    ],
)
async def test_bad_input_is_a_422(
    client: AsyncClient, configured: None, body: dict[str, Any]
) -> None:
    answer = await client.post(CALLBACK, json=body)
    assert answer.status_code == 422
    assert set(answer.json()["errors"]) <= {"code", "state"}


async def test_no_pooled_connection_is_held_while_the_provider_is_called(
    provider: Provider,
) -> None:
    """Every call to the provider (discovery, the code exchange, the keys) finds the
    service's pool with nothing checked out: the request gave its connection back first."""
    async with committed_app(
        oidc_issuer=provider.base_url,
        oidc_client_id=CLIENT_ID,
        oidc_client_secret=CLIENT_SECRET,
        oidc_redirect_uri=REDIRECT_URI,
    ) as committed:
        bob = await register(committed.client, f"{committed.prefix}bob")
        _as(provider, bob.email)
        held: dict[str, int] = {}

        def note(path: str) -> None:
            held.setdefault(path, committed.checked_out())

        provider.on_request = note
        try:
            linked = await _link(committed.client, bob, bob.headers)
            answer = await _sign_in(committed.client)
        finally:
            provider.on_request = None

    assert linked.status_code == 201, linked.text
    assert answer.status_code == 200, answer.text
    assert {"/token", "/jwks"} <= set(held)
    assert set(held.values()) == {0}
