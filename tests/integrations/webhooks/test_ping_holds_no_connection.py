"""A ping waits for the peer holding no pooled connection.

The reproduction of issue #19: one user's pings to a slow peer held the request's
connection (loaded by `OwnWebhook`) for the whole outgoing call, and other users' reads
answered 503 once the pool was taken. Here the pool has one connection: while the ping
waits on a slow peer on loopback, another user's read is served.
"""

import asyncio

from app.integrations.webhooks.schemas import WebhookEvent
from tests.support.one_connection import one_connection_app
from tests.support.peer import running_peer
from tests.support.users import register

ANY_EVENT = next(iter(WebhookEvent)).value  # the adopted service keeps only its own events

PEER_DELAY_SECONDS = 3.0  # longer than the pool's timeout (tests/support/one_connection.py)


async def test_other_requests_are_served_while_a_ping_waits_for_a_slow_peer() -> None:
    with running_peer() as peer:
        async with one_connection_app(webhook_allowed_networks=["127.0.0.0/8"]) as oc:
            owner = await register(oc.client, f"{oc.prefix}o")
            reader = await register(oc.client, f"{oc.prefix}r")
            created = await oc.client.post(
                "/api/webhooks",
                headers=owner.headers,
                json={
                    "webhook": {
                        "url": f"{peer.base_url}/slow?seconds={PEER_DELAY_SECONDS}",
                        "events": [ANY_EVENT],
                    }
                },
            )
            assert created.status_code == 201, created.text
            hook = created.json()["webhook"]["id"]

            ping = asyncio.create_task(
                oc.client.post(f"/api/webhooks/{hook}/ping", headers=owner.headers)
            )
            async with asyncio.timeout(10):
                # The peer serves in a thread of its own: there is no event to await.
                while peer.count("/slow") == 0:  # noqa: ASYNC110
                    await asyncio.sleep(0.01)
            checked_out = oc.checked_out()
            read = await oc.client.get("/api/user", headers=reader.headers)
            pinged = await ping

    assert checked_out == 0
    assert read.status_code == 200, read.text  # not a 503 after the pool's timeout
    assert pinged.status_code == 200, pinged.text
    assert pinged.json()["responseStatus"] == 200
