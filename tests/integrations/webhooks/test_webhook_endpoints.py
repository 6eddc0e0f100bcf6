"""Webhook endpoints: CRUD of your own, URLs refused, events logged, ping through a real peer."""

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from app.core.config import Settings
from app.core.outbound_http import create_http_client, get_http_client
from app.core.webhooks import REFUSED, SIGNATURE_HEADER, verify
from app.integrations.webhooks.schemas import WebhookEvent
from tests.support.peer import Peer, running_peer
from tests.support.ports import free_port
from tests.support.users import RegisteredUser, register

ALL_EVENTS = [event.value for event in WebhookEvent]
ONE_EVENT = ALL_EVENTS[-1]


@pytest.fixture(scope="module")
def peer() -> Iterator[Peer]:
    with running_peer() as peer:
        yield peer


async def _register_webhook(
    client: AsyncClient, owner: RegisteredUser, url: str, events: list[str] | None = None
) -> dict[str, object]:
    response = await client.post(
        "/api/webhooks",
        headers=owner.headers,
        json={"webhook": {"url": url, "events": events or ALL_EVENTS}},
    )
    assert response.status_code == 201, response.text
    webhook: dict[str, object] = response.json()["webhook"]
    return webhook


@pytest.mark.usefixtures("loopback_allowed")
async def test_crud_of_your_own_endpoints(client: AsyncClient) -> None:
    owner, other = await register(client), await register(client)
    created = await _register_webhook(client, owner, "http://127.0.0.1:9/hook")
    assert str(created["secret"]).startswith("whsec_")
    assert created["enabled"] is True
    path = f"/api/webhooks/{created['id']}"

    listed = (await client.get("/api/webhooks", headers=owner.headers)).json()["webhooks"]
    assert [hook["id"] for hook in listed] == [created["id"]]
    assert "secret" not in listed[0]  # shown once, at creation
    assert (await client.get(path, headers=owner.headers)).json()["webhook"]["url"] == (
        "http://127.0.0.1:9/hook"
    )
    assert (await client.get(path, headers=other.headers)).status_code == 404
    assert (await client.get("/api/webhooks", headers=other.headers)).json() == {"webhooks": []}
    assert (await client.get(path)).status_code == 401

    changed = await client.put(
        path, headers=owner.headers, json={"webhook": {"events": [ONE_EVENT]}}
    )
    assert changed.json()["webhook"]["events"] == [ONE_EVENT]
    null_url = {"webhook": {"url": None}}
    assert (await client.put(path, headers=owner.headers, json=null_url)).status_code == 422
    assert (await client.delete(path, headers=other.headers)).status_code == 404
    assert (await client.delete(path, headers=owner.headers)).status_code == 204
    assert (await client.get(path, headers=owner.headers)).status_code == 404


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.com/hook", "must be an http or https URL"),
        ("http://user:pw@example.com/hook", "must not contain credentials"),
        ("http://10.0.0.8/hook", REFUSED),
        ("http://169.254.169.254/latest/meta-data", REFUSED),
        ("http://[::ffff:127.0.0.1]/hook", REFUSED),
        ("http://localhost:8000/hook", REFUSED),
        # 169.254.169.254 through NAT64, 6to4 and the IPv4-compatible form: refused as written,
        # before any lookup.
        ("http://[64:ff9b::a9fe:a9fe]/latest/meta-data", REFUSED),
        ("http://[2002:a9fe:a9fe::1]/hook", REFUSED),
        ("http://[::169.254.169.254]/hook", REFUSED),
        ("http://example.com:99999/hook", "has an invalid port"),
    ],
)
async def test_unacceptable_urls_are_422(client: AsyncClient, url: str, message: str) -> None:
    owner = await register(client)
    response = await client.post(
        "/api/webhooks", headers=owner.headers, json={"webhook": {"url": url, "events": ALL_EVENTS}}
    )
    assert response.status_code == 422
    assert response.json()["errors"]["url"] == [message]


async def test_unknown_events_are_422(client: AsyncClient) -> None:
    owner = await register(client)
    response = await client.post(
        "/api/webhooks",
        headers=owner.headers,
        json={"webhook": {"url": "https://example.com/h", "events": ["no.such.event"]}},
    )
    assert response.status_code == 422


@pytest.mark.usefixtures("loopback_allowed")
async def test_ping_sends_a_signed_request(client: AsyncClient, peer: Peer) -> None:
    owner = await register(client)
    hook = await _register_webhook(client, owner, f"{peer.base_url}/status/204")
    response = await client.post(f"/api/webhooks/{hook['id']}/ping", headers=owner.headers)
    assert response.status_code == 200
    assert response.json() == {"responseStatus": 204}
    received = peer.requests[-1]
    assert received.method == "POST"
    header = received.headers[SIGNATURE_HEADER.lower()]
    timestamp = int(header.split(",")[0].removeprefix("t="))
    assert verify(str(hook["secret"]), header, received.body, now=timestamp)
    assert not verify("whsec_other", header, received.body, now=timestamp)


@pytest.mark.usefixtures("loopback_allowed")
async def test_ping_of_an_unreachable_or_slow_peer_is_502_or_504(
    client: AsyncClient, peer: Peer
) -> None:
    owner = await register(client)
    closed = await _register_webhook(client, owner, f"http://127.0.0.1:{free_port()}/")
    slow = await _register_webhook(client, owner, f"{peer.base_url}/slow?seconds=3")
    refused = await client.post(f"/api/webhooks/{closed['id']}/ping", headers=owner.headers)
    assert refused.status_code == 502
    assert refused.headers["content-type"] == "application/problem+json"
    timed_out = await client.post(f"/api/webhooks/{slow['id']}/ping", headers=owner.headers)
    assert timed_out.status_code == 504


async def test_ping_refuses_loopback_without_the_allow_list(
    app: FastAPI, client: AsyncClient, settings: Settings
) -> None:
    owner = await register(client)
    app.state.settings = settings.model_copy(update={"webhook_allowed_networks": ["127.0.0.0/8"]})
    hook = await _register_webhook(client, owner, "http://127.0.0.1:9/hook")
    app.state.settings = settings  # the allow-list is read again at delivery
    async with create_http_client(settings) as http:
        app.dependency_overrides[get_http_client] = lambda: http
        response = await client.post(f"/api/webhooks/{hook['id']}/ping", headers=owner.headers)
    app.dependency_overrides.clear()
    assert response.status_code == 422
    assert response.json()["errors"]["url"] == [REFUSED]
