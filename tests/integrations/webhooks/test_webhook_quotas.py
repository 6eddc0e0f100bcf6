"""What one account may take of the webhooks: endpoints per account, pings per endpoint.

Each event fans out to every endpoint of its owner in the triggering request, and each
ping is an outgoing call made for the caller: without bounds one account could make
both as large as it liked.
"""

import asyncio

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from app.core.config import Settings
from app.integrations.webhooks.schemas import WebhookEvent
from tests.support.committed import committed_app
from tests.support.peer import running_peer
from tests.support.rate_limits import QUOTA, client_of_its_own_address, with_small_quota
from tests.support.users import RegisteredUser, register

ANY_EVENT = next(iter(WebhookEvent)).value  # the adopted service keeps only its own events

MAX_PER_ACCOUNT = 3
PINGS_PER_MINUTE = 2
# Creation checks the URL without resolving it: nothing is dialled.
URL = "https://hooks.example.com/receive"


@pytest.fixture(autouse=True)
def small_quotas(app: FastAPI, settings: Settings) -> None:
    app.state.settings = settings.model_copy(
        update={
            "webhook_max_per_account": MAX_PER_ACCOUNT,
            "webhook_pings_per_minute": PINGS_PER_MINUTE,
        }
    )


async def _create(client: AsyncClient, owner: RegisteredUser, url: str = URL) -> int:
    response = await client.post(
        "/api/webhooks",
        headers=owner.headers,
        json={"webhook": {"url": url, "events": [ANY_EVENT]}},
    )
    return response.status_code


async def test_an_account_has_at_most_its_endpoints_and_others_are_not_affected(
    client: AsyncClient,
) -> None:
    owner, other = await register(client), await register(client)
    assert [await _create(client, owner) for _ in range(MAX_PER_ACCOUNT)] == [201] * 3

    refused = await client.post(
        "/api/webhooks",
        headers=owner.headers,
        json={"webhook": {"url": URL, "events": [ANY_EVENT]}},
    )

    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["errors"] == {"webhook": ["too many endpoints"]}
    assert await _create(client, other) == 201
    # Deleting one makes room again.
    first = (await client.get("/api/webhooks", headers=owner.headers)).json()["webhooks"][0]
    deleted = await client.delete(f"/api/webhooks/{first['id']}", headers=owner.headers)
    assert deleted.status_code == 204
    assert await _create(client, owner) == 201


async def test_concurrent_registrations_do_not_pass_the_limit_together() -> None:
    async with committed_app(webhook_max_per_account=MAX_PER_ACCOUNT) as service:
        owner = await register(service.client, f"{service.prefix}o")
        statuses = await asyncio.gather(*(_create(service.client, owner) for _ in range(6)))

    assert sorted(statuses) == [201] * MAX_PER_ACCOUNT + [409] * (6 - MAX_PER_ACCOUNT)


@pytest.mark.usefixtures("loopback_allowed")
async def test_pings_of_an_endpoint_are_limited_per_minute(
    app: FastAPI, client: AsyncClient
) -> None:
    app.state.settings = app.state.settings.model_copy(
        update={"webhook_pings_per_minute": PINGS_PER_MINUTE}
    )
    owner = await register(client)
    with running_peer() as peer:
        await _create(client, owner, f"{peer.base_url}/ok")
        hook = (await client.get("/api/webhooks", headers=owner.headers)).json()["webhooks"][0]
        ping = f"/api/webhooks/{hook['id']}/ping"
        answered = [await client.post(ping, headers=owner.headers) for _ in range(3)]

    assert [r.status_code for r in answered] == [200] * PINGS_PER_MINUTE + [429]
    refused = answered[-1]
    assert 0 < int(refused.headers["retry-after"]) <= 60
    assert refused.json()["errors"] == {"request": ["rate limit 'webhook-pings' exceeded"]}
    assert peer.count("/ok") == PINGS_PER_MINUTE  # the refused ping was not sent


async def test_webhook_writes_count_against_the_accounts_write_quota(
    app: FastAPI, settings: Settings, client: AsyncClient
) -> None:
    owner = await register(client)
    with_small_quota(app, settings)
    async with client_of_its_own_address(app) as limited:
        statuses = [await _create(limited, owner) for _ in range(QUOTA)]
        hook = (await limited.get("/api/webhooks", headers=owner.headers)).json()["webhooks"][0]
        changed = await limited.put(
            f"/api/webhooks/{hook['id']}", headers=owner.headers, json={"webhook": {}}
        )
        ping = await limited.post(f"/api/webhooks/{hook['id']}/ping", headers=owner.headers)

    assert statuses == [201] * QUOTA
    assert changed.status_code == 429
    assert ping.status_code == 429
