"""Personal access tokens on the Conduit routes: each declares its scope (articles:read,
articles:write, profile:write), and a token's writes count against its account's quota."""

from fastapi import FastAPI
from httpx import AsyncClient, Response

from app.core.config import Settings
from tests.support.rate_limits import with_small_quota
from tests.support.tokens import bearer, issued
from tests.support.users import register

ARTICLE = {"article": {"title": "By a script", "description": "d", "body": "b"}}


async def test_a_token_works_within_its_scopes_only(client: AsyncClient) -> None:
    bob = await register(client)
    reader = await issued(client, bob, "profile:read", "articles:read")
    writer = await issued(client, bob, "articles:write")

    me = await client.get("/api/user", headers=bearer(reader))
    assert me.status_code == 200
    assert me.json()["user"]["username"] == bob.username
    assert me.json()["user"]["token"] == reader["token"]  # echoed, as for a session's
    assert (await client.get("/api/articles/feed", headers=bearer(reader))).status_code == 200

    created = await client.post("/api/articles", headers=bearer(writer), json=ARTICLE)
    assert created.status_code == 201
    assert created.json()["article"]["author"]["username"] == bob.username
    slug = created.json()["article"]["slug"]
    edited = await client.put(
        f"/api/articles/{slug}", headers=bearer(writer), json={"article": {"body": "b2"}}
    )
    assert edited.status_code == 200

    refused = await client.post("/api/articles", headers=bearer(reader), json=ARTICLE)
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["errors"] == {"token": ["lacks the scope articles:write"]}
    assert (await client.get("/api/user", headers=bearer(writer))).status_code == 403


async def test_follows_need_profile_write(client: AsyncClient) -> None:
    bob, alice = await register(client), await register(client)
    reader = await issued(client, bob, "profile:read")
    writer = await issued(client, bob, "profile:write")
    url = f"/api/profiles/{alice.username}/follow"

    assert (
        await client.get(f"/api/profiles/{alice.username}", headers=bearer(reader))
    ).status_code == 200
    assert (await client.post(url, headers=bearer(reader))).status_code == 403
    followed = await client.post(url, headers=bearer(writer))
    assert followed.status_code == 200
    assert followed.json()["profile"]["following"] is True


async def test_a_tokens_writes_count_against_its_accounts_quota(
    app: FastAPI, client: AsyncClient, settings: Settings
) -> None:
    bob = await register(client)
    token = await issued(client, bob, "articles:write")
    with_small_quota(app, settings)  # 3 writes

    answers: list[Response] = [
        await client.post("/api/articles", headers=bob.headers, json=ARTICLE),
        await client.post("/api/articles", headers=bearer(token), json=ARTICLE),
        await client.post("/api/articles", headers=bob.headers, json=ARTICLE),
        await client.post("/api/articles", headers=bearer(token), json=ARTICLE),
    ]

    assert [answer.status_code for answer in answers] == [201, 201, 201, 429]
