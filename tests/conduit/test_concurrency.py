"""Concurrent requests against committed data: counters stay exact, slugs stay unique.

These tests need real, separate transactions: they use the `committed` client
(tests/conftest.py), whose requests commit and whose users are deleted afterwards.
"""

import asyncio

from httpx import AsyncClient

from tests.support.articles import create_article
from tests.support.users import PASSWORD, RegisteredUser, register

FANS = 20


async def test_concurrent_favorites_keep_the_count_exact(
    committed: tuple[AsyncClient, str],
) -> None:
    client, prefix = committed
    author = await register(client, f"{prefix}author")
    fans: list[RegisteredUser] = await asyncio.gather(
        *(register(client, f"{prefix}fan{n}") for n in range(FANS))
    )
    url = f"/api/articles/{(await create_article(client, author))['slug']}/favorite"

    # Every fan favorites twice at once: 40 requests racing, 20 favorites.
    favorited = await asyncio.gather(*(client.post(url, headers=f.headers) for f in fans * 2))
    after_favorites = await client.get(url.removesuffix("/favorite"))
    removed = await asyncio.gather(*(client.delete(url, headers=f.headers) for f in fans * 2))
    after_removals = await client.get(url.removesuffix("/favorite"))

    assert {response.status_code for response in favorited + removed} == {200}
    assert after_favorites.json()["article"]["favoritesCount"] == FANS
    assert after_removals.json()["article"]["favoritesCount"] == 0


async def test_same_title_at_once_gives_distinct_slugs(committed: tuple[AsyncClient, str]) -> None:
    client, prefix = committed
    authors = await asyncio.gather(*(register(client, f"{prefix}w{n}") for n in range(4)))
    title = f"Breaking news {prefix}"

    created = await asyncio.gather(
        *(create_article(client, author, title=title) for author in authors)
    )

    slugs = {article["slug"] for article in created}
    assert len(slugs) == len(authors)
    assert f"breaking-news-{prefix}" in slugs


async def test_same_username_at_once_registers_once(committed: tuple[AsyncClient, str]) -> None:
    client, prefix = committed
    body = {"user": {"username": f"{prefix}dup", "email": f"{prefix}@x.io", "password": PASSWORD}}

    responses = await asyncio.gather(*(client.post("/api/users", json=body) for _ in range(5)))

    assert sorted(response.status_code for response in responses) == [201, 409, 409, 409, 409]
    conflict = next(response for response in responses if response.status_code == 409)
    assert set(conflict.json()["errors"]) == {"username", "email"}
