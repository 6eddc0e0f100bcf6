"""Creating, reading, editing and deleting articles."""

import re

import pytest
from httpx import AsyncClient

from tests.support.articles import create_article
from tests.support.users import register

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def article_body(**fields: object) -> dict[str, object]:
    return {"article": {"title": "T", "description": "D", "body": "B"} | fields}


async def test_create_returns_the_full_article(client: AsyncClient) -> None:
    author = await register(client, "author")

    article = await create_article(client, author, tags=["training", "dragons"])

    assert article["slug"] == "how-to-train-your-dragon"
    assert article["title"] == "How to train your dragon"
    assert article["body"] == "Very carefully."
    assert article["tagList"] == ["dragons", "training"]
    assert TIMESTAMP.match(article["createdAt"])
    assert article["createdAt"] == article["updatedAt"]
    assert article["favorited"] is False
    assert article["favoritesCount"] == 0
    assert article["author"] == {
        "username": "author", "bio": None, "image": None, "following": False,
    }  # fmt: skip


async def test_tags_are_trimmed_deduplicated_and_sorted(client: AsyncClient) -> None:
    author = await register(client)

    article = await create_article(client, author, tags=[" zeta", "alpha", "zeta", "Émile"])

    assert article["tagList"] == ["alpha", "zeta", "Émile"]


async def test_duplicate_titles_get_distinct_slugs(client: AsyncClient) -> None:
    author = await register(client)

    first = await create_article(client, author, title="Same title")
    second = await create_article(client, author, title="Same title")

    assert first["slug"] == "same-title"
    assert second["slug"].startswith("same-title-")
    assert second["slug"] != first["slug"]


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Héllo, Wörld!", "héllo-wörld"),
        ("日本 語", "日本-語"),
        ("?!", "article"),
        ("a_b  c", "a-b-c"),
        ("हिन्दी", "हिन्दी"),  # combining vowel signs stay inside the word
    ],
)
async def test_slugs_are_readable_and_unicode_aware(
    client: AsyncClient, title: str, slug: str
) -> None:
    author = await register(client)

    article = await create_article(client, author, title=title)

    assert article["slug"] == slug
    fetched = await client.get(f"/api/articles/{article['slug']}")
    assert fetched.json()["article"]["title"] == title


async def test_a_title_that_slugifies_to_feed_does_not_hide_the_article(
    client: AsyncClient,
) -> None:
    author = await register(client)

    article = await create_article(client, author, title="Feed")

    # /api/articles/feed is the feed, so the plain slug would be unreachable.
    assert article["slug"].startswith("feed-")
    fetched = await client.get(f"/api/articles/{article['slug']}")
    assert fetched.json()["article"]["title"] == "Feed"


@pytest.mark.parametrize("field", ["title", "description", "body"])
@pytest.mark.parametrize("value", ["", "  ", None])
async def test_create_blank_field_is_422(client: AsyncClient, field: str, value: object) -> None:
    author = await register(client)

    response = await client.post(
        "/api/articles", headers=author.headers, json=article_body(**{field: value})
    )

    assert response.status_code == 422
    assert response.json()["errors"] == {field: ["can't be blank"]}


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"title": "t" * 256}, {"title": ["is too long (maximum is 255 characters)"]}),
        ({"body": 42}, {"body": ["must be a string"]}),
        ({"tagList": None}, {"tagList": ["must be a list"]}),
        ({"tagList": "python"}, {"tagList": ["must be a list"]}),
        ({"tagList": [1]}, {"tagList": ["must be a string"]}),
        ({"tagList": [""]}, {"tagList": ["can't be blank"]}),
        ({"tagList": ["t" * 65]}, {"tagList": ["is too long (maximum is 64 characters)"]}),
        (
            {"tagList": [f"t{n}" for n in range(21)]},
            {"tagList": ["has too many items (maximum is 20)"]},
        ),
    ],
)
async def test_create_rejects_bad_values(
    client: AsyncClient, fields: dict[str, object], errors: dict[str, list[str]]
) -> None:
    author = await register(client)

    response = await client.post(
        "/api/articles", headers=author.headers, json=article_body(**fields)
    )

    assert response.status_code == 422
    assert response.json()["errors"] == errors


async def test_create_without_token_is_401(client: AsyncClient) -> None:
    response = await client.post("/api/articles", json=article_body())

    assert response.status_code == 401
    assert response.json()["errors"] == {"token": ["is missing"]}


async def test_get_unknown_slug_is_404(client: AsyncClient) -> None:
    response = await client.get("/api/articles/no-such-article")

    assert response.status_code == 404
    assert response.json()["errors"] == {"article": ["not found"]}


async def test_update_body_keeps_slug_and_created_at(client: AsyncClient) -> None:
    author = await register(client)
    original = await create_article(client, author, tags=["a", "b"])

    response = await client.put(
        f"/api/articles/{original['slug']}",
        headers=author.headers,
        json={"article": {"body": "Updated"}},
    )

    updated = response.json()["article"]
    assert response.status_code == 200
    assert updated["body"] == "Updated"
    assert updated["slug"] == original["slug"]
    assert updated["tagList"] == ["a", "b"]
    assert updated["createdAt"] == original["createdAt"]
    assert updated["updatedAt"] > original["updatedAt"]


async def test_update_title_gives_a_new_slug(client: AsyncClient) -> None:
    author = await register(client)
    original = await create_article(client, author)

    response = await client.put(
        f"/api/articles/{original['slug']}",
        headers=author.headers,
        json={"article": {"title": "A new title"}},
    )

    assert response.json()["article"]["slug"] == "a-new-title"
    assert (await client.get(f"/api/articles/{original['slug']}")).status_code == 404
    assert (await client.get("/api/articles/a-new-title")).status_code == 200


async def test_update_title_that_reads_the_same_keeps_the_slug(client: AsyncClient) -> None:
    author = await register(client)
    original = await create_article(client, author, title="Hello world")

    response = await client.put(
        f"/api/articles/{original['slug']}",
        headers=author.headers,
        json={"article": {"title": "Hello, World!"}},
    )

    updated = response.json()["article"]
    assert updated["title"] == "Hello, World!"
    assert updated["slug"] == original["slug"] == "hello-world"


async def test_update_tags_empty_list_clears_and_null_is_422(client: AsyncClient) -> None:
    author = await register(client)
    slug = (await create_article(client, author, tags=["x"]))["slug"]
    url = f"/api/articles/{slug}"

    cleared = await client.put(url, headers=author.headers, json={"article": {"tagList": []}})
    nulled = await client.put(url, headers=author.headers, json={"article": {"tagList": None}})
    replaced = await client.put(url, headers=author.headers, json={"article": {"tagList": ["y"]}})

    assert cleared.json()["article"]["tagList"] == []
    assert nulled.status_code == 422
    assert replaced.json()["article"]["tagList"] == ["y"]


@pytest.mark.parametrize("field", ["title", "description", "body"])
async def test_update_required_field_to_blank_is_422(client: AsyncClient, field: str) -> None:
    author = await register(client)
    slug = (await create_article(client, author))["slug"]

    response = await client.put(
        f"/api/articles/{slug}", headers=author.headers, json={"article": {field: ""}}
    )

    assert response.status_code == 422
    assert response.json()["errors"] == {field: ["can't be blank"]}


async def test_only_the_author_may_update_or_delete(client: AsyncClient) -> None:
    author = await register(client, "author")
    intruder = await register(client, "intruder")
    slug = (await create_article(client, author))["slug"]

    put = await client.put(
        f"/api/articles/{slug}", headers=intruder.headers, json={"article": {"body": "mine"}}
    )
    delete = await client.delete(f"/api/articles/{slug}", headers=intruder.headers)

    for response in (put, delete):
        assert response.status_code == 403
        assert response.json()["errors"] == {"article": ["forbidden"]}
    assert (await client.get(f"/api/articles/{slug}")).json()["article"][
        "body"
    ] == "Very carefully."


@pytest.mark.parametrize("method", ["put", "delete"])
async def test_auth_is_checked_before_lookup(client: AsyncClient, method: str) -> None:
    response = await client.request(
        method, "/api/articles/unknown", json={"article": {"body": "x"}}
    )

    assert response.status_code == 401


@pytest.mark.parametrize("method", ["put", "delete"])
async def test_unknown_slug_with_token_is_404(client: AsyncClient, method: str) -> None:
    author = await register(client)

    response = await client.request(
        method, "/api/articles/unknown", headers=author.headers, json={"article": {"body": "x"}}
    )

    assert response.status_code == 404
    assert response.json()["errors"] == {"article": ["not found"]}


async def test_delete_removes_article_and_its_comments(client: AsyncClient) -> None:
    author = await register(client)
    slug = (await create_article(client, author))["slug"]
    await client.post(
        f"/api/articles/{slug}/comments", headers=author.headers, json={"comment": {"body": "hi"}}
    )

    response = await client.delete(f"/api/articles/{slug}", headers=author.headers)

    assert response.status_code == 204
    assert response.content == b""
    assert (await client.get(f"/api/articles/{slug}")).status_code == 404
    assert (await client.get(f"/api/articles/{slug}/comments")).status_code == 404
