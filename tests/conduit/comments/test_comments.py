"""Comments: listed oldest first, added by users, deleted only by their authors."""

import pytest
from httpx import AsyncClient

from tests.support.articles import create_article
from tests.support.users import RegisteredUser, register


async def _comment(client: AsyncClient, user: RegisteredUser, slug: str, body: str) -> int:
    response = await client.post(
        f"/api/articles/{slug}/comments", headers=user.headers, json={"comment": {"body": body}}
    )
    assert response.status_code == 201, response.text
    comment_id: int = response.json()["comment"]["id"]
    return comment_id


async def test_add_list_and_delete(client: AsyncClient) -> None:
    author = await register(client, "author")
    reader = await register(client, "reader")
    slug = (await create_article(client, author))["slug"]
    await client.post("/api/profiles/author/follow", headers=reader.headers)

    first = await _comment(client, author, slug, "First! 🎉")
    await _comment(client, reader, slug, "Second")
    as_reader = (await client.get(f"/api/articles/{slug}/comments", headers=reader.headers)).json()
    anonymous = (await client.get(f"/api/articles/{slug}/comments")).json()

    assert [c["body"] for c in as_reader["comments"]] == ["First! 🎉", "Second"]
    assert as_reader["comments"][0]["id"] == first
    assert as_reader["comments"][0]["author"]["following"] is True
    assert anonymous["comments"][0]["author"]["following"] is False
    assert set(anonymous["comments"][0]) == {"id", "createdAt", "updatedAt", "body", "author"}

    deleted = await client.delete(f"/api/articles/{slug}/comments/{first}", headers=author.headers)
    remaining = (await client.get(f"/api/articles/{slug}/comments")).json()["comments"]

    assert deleted.status_code == 204
    assert [c["body"] for c in remaining] == ["Second"]


async def test_only_the_comment_author_may_delete(client: AsyncClient) -> None:
    author = await register(client, "author")
    intruder = await register(client, "intruder")
    slug = (await create_article(client, author))["slug"]
    comment = await _comment(client, author, slug, "mine")

    response = await client.delete(
        f"/api/articles/{slug}/comments/{comment}", headers=intruder.headers
    )

    assert response.status_code == 403
    assert response.json()["errors"] == {"comment": ["forbidden"]}
    assert len((await client.get(f"/api/articles/{slug}/comments")).json()["comments"]) == 1


async def test_comment_of_another_article_is_404(client: AsyncClient) -> None:
    author = await register(client)
    first = (await create_article(client, author, title="one"))["slug"]
    second = (await create_article(client, author, title="two"))["slug"]
    comment = await _comment(client, author, first, "on one")

    response = await client.delete(
        f"/api/articles/{second}/comments/{comment}", headers=author.headers
    )

    assert response.status_code == 404
    assert response.json()["errors"] == {"comment": ["not found"]}


@pytest.mark.parametrize(
    ("comment_id", "status"), [("99999", 404), ("abc", 422), ("0", 422), (str(2**64), 422)]
)
async def test_bad_comment_ids(client: AsyncClient, comment_id: str, status: int) -> None:
    author = await register(client)
    slug = (await create_article(client, author))["slug"]

    response = await client.delete(
        f"/api/articles/{slug}/comments/{comment_id}", headers=author.headers
    )

    assert response.status_code == status


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({"comment": {"body": ""}}, {"body": ["can't be blank"]}),
        ({"comment": {"body": "   "}}, {"body": ["can't be blank"]}),
        ({"comment": {"body": None}}, {"body": ["can't be blank"]}),
        ({"comment": {}}, {"body": ["can't be blank"]}),
        ({"comment": {"body": 5}}, {"body": ["must be a string"]}),
        (
            {"comment": {"body": "x" * 10_001}},
            {"body": ["is too long (maximum is 10000 characters)"]},
        ),
        ({}, {"comment": ["can't be blank"]}),
    ],
)
async def test_bad_comment_bodies_are_422(
    client: AsyncClient, payload: dict[str, object], errors: dict[str, list[str]]
) -> None:
    author = await register(client)
    slug = (await create_article(client, author))["slug"]

    response = await client.post(
        f"/api/articles/{slug}/comments", headers=author.headers, json=payload
    )

    assert response.status_code == 422
    assert response.json()["errors"] == errors


async def test_comment_errors_on_unknown_article_and_without_token(client: AsyncClient) -> None:
    user = await register(client)
    body = {"comment": {"body": "x"}}

    assert (await client.post("/api/articles/x/comments", json=body)).status_code == 401
    assert (await client.delete("/api/articles/x/comments/1")).status_code == 401
    for response in [
        await client.get("/api/articles/x/comments"),
        await client.post("/api/articles/x/comments", headers=user.headers, json=body),
        await client.delete("/api/articles/x/comments/1", headers=user.headers),
    ]:
        assert response.status_code == 404
        assert response.json()["errors"] == {"article": ["not found"]}


async def _page(client: AsyncClient, url: str) -> tuple[list[str], str | None]:
    response = await client.get(url)
    assert response.status_code == 200, response.text
    link = response.headers.get("link")
    following = link.split(">", 1)[0].removeprefix("<") if link else None
    return [c["body"] for c in response.json()["comments"]], following


async def test_a_long_thread_is_read_page_by_page_following_the_link(client: AsyncClient) -> None:
    author = await register(client)
    slug = (await create_article(client, author))["slug"]
    ids = [await _comment(client, author, slug, f"c{n}") for n in range(5)]

    first, after_first = await _page(client, f"/api/articles/{slug}/comments?limit=2")
    assert after_first is not None
    # The comment that ended the page is deleted and a new one is added: the next pages
    # neither skip nor repeat anything.
    await client.delete(f"/api/articles/{slug}/comments/{ids[1]}", headers=author.headers)
    await _comment(client, author, slug, "c5")
    second, after_second = await _page(client, after_first)
    assert after_second is not None
    third, after_third = await _page(client, after_second)

    assert (first, second, third) == (["c0", "c1"], ["c2", "c3"], ["c4", "c5"])
    assert after_third is None  # nothing after: no Link
    whole, more = await _page(client, f"/api/articles/{slug}/comments")
    assert (whole, more) == (["c0", "c2", "c3", "c4", "c5"], None)  # RealWorld's one page


@pytest.mark.parametrize(
    "query",
    [
        "after=x",
        "after=%21%21",
        "after=YS5i",  # "a.b"
        "after=LTEuMQ",  # "-1.1"
        "after=MS45MjIzMzcyMDM2ODU0Nzc1ODA4",  # "1.9223372036854775808": beyond a bigint
        "after=" + "A" * 65,
        "after=%00",
        "limit=0",
        "limit=101",
        "limit=ten",
    ],
)
async def test_bad_page_parameters_are_422(client: AsyncClient, query: str) -> None:
    author = await register(client)
    slug = (await create_article(client, author))["slug"]

    response = await client.get(f"/api/articles/{slug}/comments?{query}")

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert set(response.json()["errors"]) == {query.split("=", maxsplit=1)[0]}
