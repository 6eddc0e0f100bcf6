"""Listing articles: filters, paging, the feed and tags."""

import pytest
from httpx import AsyncClient

from app.conduit.articles.schemas import TAGS_PER_ARTICLE
from app.conduit.articles.service import TAGS_LISTED
from tests.support.articles import create_article
from tests.support.users import register


async def test_list_is_newest_first_without_bodies(client: AsyncClient) -> None:
    author = await register(client)
    for title in ("first", "second", "third"):
        await create_article(client, author, title=title)

    response = await client.get("/api/articles")

    body = response.json()
    assert body["articlesCount"] == 3
    assert [article["title"] for article in body["articles"]] == ["third", "second", "first"]
    assert all("body" not in article for article in body["articles"])


async def test_paging_keeps_the_total_count(client: AsyncClient) -> None:
    author = await register(client)
    for n in range(5):
        await create_article(client, author, title=f"a{n}")

    page = await client.get("/api/articles", params={"limit": 2, "offset": 2})
    beyond = await client.get("/api/articles", params={"limit": 2, "offset": 50})

    assert [a["title"] for a in page.json()["articles"]] == ["a2", "a1"]
    assert page.json()["articlesCount"] == 5
    assert beyond.json() == {"articles": [], "articlesCount": 5}


async def test_default_limit_is_20(client: AsyncClient) -> None:
    author = await register(client)
    for n in range(21):
        await create_article(client, author, title=f"a{n}")

    response = await client.get("/api/articles")

    assert len(response.json()["articles"]) == 20
    assert response.json()["articlesCount"] == 21


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        ({"limit": 0}, {"limit": ["must be greater than or equal to 1"]}),
        ({"limit": 101}, {"limit": ["must be less than or equal to 100"]}),
        ({"limit": "abc"}, {"limit": ["must be an integer"]}),
        ({"limit": 10**30}, {"limit": ["must be less than or equal to 100"]}),
        ({"offset": -1}, {"offset": ["must be greater than or equal to 0"]}),
        ({"offset": 10**20}, {"offset": ["must be less than or equal to 1000000"]}),
        ({"tag": "t" * 256}, {"tag": ["is too long (maximum is 255 characters)"]}),
    ],
)
async def test_bad_paging_values_are_422(
    client: AsyncClient, params: dict[str, str | int], errors: dict[str, list[str]]
) -> None:
    response = await client.get("/api/articles", params=params)

    assert response.status_code == 422
    assert response.json()["errors"] == errors


async def test_filters_by_tag_author_and_favorited(client: AsyncClient) -> None:
    alice = await register(client, "alice")
    bob = await register(client, "bob")
    tagged = await create_article(client, alice, title="tagged", tags=["python"])
    await create_article(client, alice, title="untagged")
    by_bob = await create_article(client, bob, title="by bob")
    await client.post(f"/api/articles/{by_bob['slug']}/favorite", headers=alice.headers)

    async def titles(**params: str) -> list[str]:
        response = await client.get("/api/articles", params=params)
        return [article["title"] for article in response.json()["articles"]]

    assert await titles(tag="python") == [tagged["title"]]
    assert await titles(author="bob") == ["by bob"]
    assert await titles(favorited="alice") == ["by bob"]
    assert await titles(author="alice", tag="python") == ["tagged"]
    assert await titles(author="nobody") == []
    assert await titles(tag="unknown") == []


async def test_feed_shows_only_followed_authors(client: AsyncClient) -> None:
    reader = await register(client, "reader")
    followed = await register(client, "followed")
    other = await register(client, "other")
    await create_article(client, followed, title="from followed")
    await create_article(client, other, title="from other")

    empty = await client.get("/api/articles/feed", headers=reader.headers)
    await client.post("/api/profiles/followed/follow", headers=reader.headers)
    feed = await client.get("/api/articles/feed", headers=reader.headers)

    assert empty.json() == {"articles": [], "articlesCount": 0}
    assert feed.json()["articlesCount"] == 1
    [article] = feed.json()["articles"]
    assert article["title"] == "from followed"
    assert article["author"]["following"] is True


async def test_feed_requires_a_token(client: AsyncClient) -> None:
    response = await client.get("/api/articles/feed")

    assert response.status_code == 401


async def test_tags_lists_tags_in_use_most_used_first(client: AsyncClient) -> None:
    author = await register(client)
    await create_article(client, author, title="one", tags=["common", "rare"])
    await create_article(client, author, title="two", tags=["common"])
    orphan = await create_article(client, author, title="three", tags=["gone"])
    await client.delete(f"/api/articles/{orphan['slug']}", headers=author.headers)

    response = await client.get("/api/tags")

    assert response.status_code == 200
    assert response.json() == {"tags": ["common", "rare"]}


async def test_tags_lists_at_most_the_most_used(client: AsyncClient) -> None:
    author = await register(client)
    names = [f"t{n:03}" for n in range(TAGS_LISTED + TAGS_PER_ARTICLE)]
    for start in range(0, len(names), TAGS_PER_ARTICLE):
        chunk = names[start : start + TAGS_PER_ARTICLE]
        await create_article(client, author, title=f"tags {start}", tags=chunk)
    await create_article(client, author, title="the most used", tags=[names[-1]])

    tags = (await client.get("/api/tags")).json()["tags"]

    assert len(tags) == TAGS_LISTED
    assert tags[0] == names[-1]  # used twice; then the newest first among the rest
    assert tags[1:] == names[-2::-1][: TAGS_LISTED - 1]
