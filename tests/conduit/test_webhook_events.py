"""The Conduit events webhooks announce: publishing, commenting and following (the
webhooks feature itself: tests/integrations/webhooks/)."""

import pytest
from httpx import AsyncClient

from tests.support.articles import create_article
from tests.support.users import register

CONDUIT_EVENTS = ["article.published", "comment.created", "profile.followed"]


@pytest.mark.usefixtures("loopback_allowed")
async def test_events_are_logged_as_pending_deliveries(client: AsyncClient) -> None:
    owner, fan = await register(client), await register(client)
    created = await client.post(
        "/api/webhooks",
        headers=owner.headers,
        json={"webhook": {"url": "http://127.0.0.1:9/hook", "events": CONDUIT_EVENTS}},
    )
    hook = created.json()["webhook"]
    slug = (await create_article(client, owner))["slug"]
    for _ in range(2):  # a repeated follow is not a new follower
        await client.post(f"/api/profiles/{owner.username}/follow", headers=fan.headers)
    comment = {"comment": {"body": "Nice"}}
    await client.post(f"/api/articles/{slug}/comments", headers=fan.headers, json=comment)
    await client.post(f"/api/articles/{slug}/comments", headers=owner.headers, json=comment)

    response = await client.get(f"/api/webhooks/{hook['id']}/deliveries", headers=owner.headers)
    deliveries = response.json()["deliveries"]
    assert [d["event"] for d in deliveries] == [
        "comment.created", "profile.followed", "article.published",
    ]  # fmt: skip
    assert {d["status"] for d in deliveries} == {"pending"}
