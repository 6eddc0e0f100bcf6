"""No N+1: statements per request stay fixed as pages, tags, favorites and follows grow."""

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.support.articles import create_article
from tests.support.queries import recorded_statements
from tests.support.users import RegisteredUser, register

AUTHORS = 4
ARTICLES = 25


@pytest.fixture
async def world(client: AsyncClient) -> tuple[RegisteredUser, str]:
    """25 articles by 4 authors, 3 tags each, several favorites; a reader following all."""
    reader = await register(client, "reader")
    authors = [await register(client, f"author{n}") for n in range(AUTHORS)]
    slug = ""
    for n in range(ARTICLES):
        author = authors[n % AUTHORS]
        tags = [f"tag{n % 5}", f"topic{n % 3}", f"extra{n}"]
        slug = (await create_article(client, author, title=f"article {n}", tags=tags))["slug"]
        for fan in authors[: n % AUTHORS + 1]:
            await client.post(f"/api/articles/{slug}/favorite", headers=fan.headers)
        await client.post(
            f"/api/articles/{slug}/comments",
            headers=author.headers,
            json={"comment": {"body": f"comment {n}"}},
        )
    for author in authors:
        await client.post(f"/api/profiles/{author.username}/follow", headers=reader.headers)
    for n in range(ARTICLES):  # 25 comments on one article, by all authors
        await client.post(
            f"/api/articles/{slug}/comments",
            headers=authors[n % AUTHORS].headers,
            json={"comment": {"body": f"more {n}"}},
        )
    return reader, slug


async def _count(engine: AsyncEngine, client: AsyncClient, url: str, **kwargs: object) -> int:
    with recorded_statements(engine) as statements:
        response = await client.get(url, **kwargs)  # type: ignore[arg-type]
    assert response.status_code == 200, response.text
    return len(statements)


@pytest.mark.parametrize("authenticated", [False, True])
async def test_article_list_is_one_statement_plus_auth(
    engine: AsyncEngine,
    client: AsyncClient,
    world: tuple[RegisteredUser, str],
    authenticated: bool,
) -> None:
    reader, _ = world
    headers = reader.headers if authenticated else {}

    small = await _count(engine, client, "/api/articles?limit=5", headers=headers)
    large = await _count(engine, client, "/api/articles?limit=20", headers=headers)

    assert small == large == 1 + authenticated  # rows, tags and total in one (+ the user)


async def test_feed_is_two_statements(
    engine: AsyncEngine, client: AsyncClient, world: tuple[RegisteredUser, str]
) -> None:
    reader, _ = world

    small = await _count(engine, client, "/api/articles/feed?limit=5", headers=reader.headers)
    large = await _count(engine, client, "/api/articles/feed?limit=20", headers=reader.headers)

    assert small == large == 2  # the user, the page


async def test_single_article_and_comments_are_fixed(
    engine: AsyncEngine, client: AsyncClient, world: tuple[RegisteredUser, str]
) -> None:
    reader, slug = world

    article = await _count(engine, client, f"/api/articles/{slug}", headers=reader.headers)
    comments = await _count(
        engine, client, f"/api/articles/{slug}/comments", headers=reader.headers
    )
    anonymous = await _count(engine, client, f"/api/articles/{slug}/comments")

    assert article == 2  # user, the view (looked up by slug, with its tags)
    assert comments == 3  # user, article by slug, comments with authors and `following`
    assert anonymous == 2


async def test_a_page_past_the_end_counts_apart_and_keeps_the_total(
    engine: AsyncEngine, client: AsyncClient, world: tuple[RegisteredUser, str]
) -> None:
    with recorded_statements(engine) as statements:
        response = await client.get("/api/articles?limit=20&offset=1000")

    assert response.json() == {"articles": [], "articlesCount": ARTICLES}
    assert len(statements) == 2  # the empty page, then the count alone


async def test_the_current_user_is_one_statement_that_checks_the_session(
    engine: AsyncEngine, client: AsyncClient
) -> None:
    bob = await register(client, "bob")
    await client.get("/api/user", headers=bob.headers)  # the token's signature now cached

    with recorded_statements(engine) as statements:
        response = await client.get("/api/user", headers=bob.headers)

    assert response.status_code == 200
    assert len(statements) == 1  # nothing written, no second round trip for the session
    assert statements[0].startswith("SELECT")
    assert "JOIN user_sessions" in statements[0]


async def test_writing_an_article_with_three_tags_is_fixed(
    engine: AsyncEngine, client: AsyncClient
) -> None:
    bob = await register(client, "bob")
    await client.get("/api/user", headers=bob.headers)  # the token's signature now cached
    body = {"title": "Counted", "description": "d", "body": "b", "tagList": ["x", "y", "z"]}

    with recorded_statements(engine) as statements:
        response = await client.post("/api/articles", headers=bob.headers, json={"article": body})

    assert response.status_code == 201
    kinds = [statement.split()[0] for statement in statements]
    # The sign-in with the quota's count, the article (no savepoint: ON CONFLICT), the new
    # tags, the links, the webhook endpoints to tell, the answer.
    assert kinds == ["WITH", "INSERT", "INSERT", "INSERT", "SELECT", "SELECT"]
    assert "rate_limit_counters" in statements[0]


@pytest.mark.parametrize("method", ["POST", "DELETE"])
async def test_a_favorite_and_its_counter_are_one_statement(
    engine: AsyncEngine, client: AsyncClient, method: str
) -> None:
    bob = await register(client, "bob")
    slug = (await create_article(client, bob, title="Liked"))["slug"]
    if method == "DELETE":
        await client.post(f"/api/articles/{slug}/favorite", headers=bob.headers)
    await client.get("/api/user", headers=bob.headers)  # the token's signature now cached

    with recorded_statements(engine) as statements:
        response = await client.request(
            method, f"/api/articles/{slug}/favorite", headers=bob.headers
        )

    assert response.status_code == 200
    assert response.json()["article"]["favoritesCount"] == (1 if method == "POST" else 0)
    # The sign-in with the quota's count, the article's view by slug, the favorite with its
    # counter (which returns the count the answer shows: no read after the write).
    assert len(statements) == 3
    assert statements[2].startswith("WITH")
    assert "RETURNING articles.favorites_count" in statements[2]


async def _write_kinds(
    engine: AsyncEngine, client: AsyncClient, method: str, url: str, **kwargs: object
) -> list[str]:
    """The kinds of statements a write sends (BEGIN and COMMIT are not among them)."""
    with recorded_statements(engine) as statements:
        response = await client.request(method, url, **kwargs)  # type: ignore[arg-type]
    assert response.status_code < 300, response.text
    assert "rate_limit_counters" in statements[0]  # the quota rides on the sign-in read
    return [statement.split()[0] for statement in statements]


async def test_an_article_edit_is_one_update_and_the_answer(
    engine: AsyncEngine, client: AsyncClient
) -> None:
    bob = await register(client, "bob")
    slug = (await create_article(client, bob, title="Edited"))["slug"]
    body = {"article": {"body": "new body", "description": "new description"}}

    kinds = await _write_kinds(
        engine, client, "PUT", f"/api/articles/{slug}", headers=bob.headers, json=body
    )

    # The sign-in, the article by slug, every change in one UPDATE, the answer's view.
    assert kinds == ["WITH", "SELECT", "UPDATE", "SELECT"]


async def test_a_comment_is_one_insert_and_its_live_event(
    engine: AsyncEngine, client: AsyncClient
) -> None:
    bob, alice = await register(client, "bob"), await register(client, "alice")
    slug = (await create_article(client, bob, title="Discussed"))["slug"]
    url = f"/api/articles/{slug}/comments"
    comment = {"comment": {"body": "first"}}

    added = await _write_kinds(engine, client, "POST", url, headers=alice.headers, json=comment)
    comment_id = (await client.get(url)).json()["comments"][0]["id"]
    deleted = await _write_kinds(
        engine, client, "DELETE", f"{url}/{comment_id}", headers=alice.headers
    )

    # The sign-in, the article, the comment (returning its row), its live event, the article
    # author's webhook endpoints; deleting your own: one DELETE, then its live event.
    assert added == ["WITH", "SELECT", "INSERT", "WITH", "SELECT"]
    assert deleted == ["WITH", "SELECT", "DELETE", "WITH"]


@pytest.mark.parametrize("method", ["POST", "DELETE"])
async def test_a_follow_is_one_statement_after_the_profile(
    engine: AsyncEngine, client: AsyncClient, method: str
) -> None:
    bob, alice = await register(client, "bob"), await register(client, "alice")
    url = f"/api/profiles/{alice.username}/follow"

    kinds = await _write_kinds(engine, client, method, url, headers=bob.headers)

    # The sign-in, the profile, the follow (then, new, the followee's webhook endpoints).
    assert (
        kinds == ["WITH", "SELECT", "INSERT", "SELECT"]
        if method == "POST"
        else ["WITH", "SELECT", "DELETE"]
    )
