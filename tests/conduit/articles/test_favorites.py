"""Favoriting: idempotent, counted exactly, relative to the viewer."""

import pytest
from httpx import AsyncClient
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from app.conduit.articles import favorites
from app.conduit.articles.models import Article
from app.core.errors import NotFound
from app.identity.users.models import User
from tests.support.articles import create_article
from tests.support.users import register


async def test_favorite_twice_counts_once_and_unfavorite_is_idempotent(
    client: AsyncClient,
) -> None:
    author = await register(client, "author")
    fan = await register(client, "fan")
    url = f"/api/articles/{(await create_article(client, author))['slug']}/favorite"

    first = await client.post(url, headers=fan.headers)
    second = await client.post(url, headers=fan.headers)

    assert first.status_code == second.status_code == 200
    assert second.json()["article"]["favorited"] is True
    assert second.json()["article"]["favoritesCount"] == 1

    for _ in range(2):
        removed = await client.delete(url, headers=fan.headers)
        assert removed.status_code == 200
        assert removed.json()["article"]["favorited"] is False
        assert removed.json()["article"]["favoritesCount"] == 0


async def test_favorited_is_relative_to_the_viewer(client: AsyncClient) -> None:
    author = await register(client, "author")
    fan = await register(client, "fan")
    slug = (await create_article(client, author))["slug"]
    await client.post(f"/api/articles/{slug}/favorite", headers=fan.headers)

    as_fan = await client.get(f"/api/articles/{slug}", headers=fan.headers)
    as_author = await client.get(f"/api/articles/{slug}", headers=author.headers)
    anonymous = await client.get("/api/articles")

    assert as_fan.json()["article"]["favorited"] is True
    assert as_author.json()["article"]["favorited"] is False
    assert anonymous.json()["articles"][0]["favorited"] is False
    assert anonymous.json()["articles"][0]["favoritesCount"] == 1


@pytest.mark.parametrize("method", ["post", "delete"])
async def test_favorite_errors(client: AsyncClient, method: str) -> None:
    fan = await register(client)

    anonymous = await client.request(method, "/api/articles/unknown/favorite")
    unknown = await client.request(method, "/api/articles/unknown/favorite", headers=fan.headers)

    assert anonymous.status_code == 401
    assert unknown.status_code == 404
    assert unknown.json()["errors"] == {"article": ["not found"]}


async def test_favoriting_an_article_deleted_meanwhile_is_404(session: AsyncSession) -> None:
    # The request looked the article up, then a concurrent request deleted it.
    author = User(username="author", email="author@example.com", password_hash="x")
    session.add(author)
    await session.flush()
    article = Article(title="t", slug="t", description="d", body="b", author_id=author.id)
    session.add(article)
    await session.flush()
    await session.execute(delete(Article).where(Article.id == article.id))

    with pytest.raises(NotFound):
        await favorites.favorite(session, author.id, article.id)
