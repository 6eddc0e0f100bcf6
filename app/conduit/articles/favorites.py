"""Favorites, with `articles.favorites_count` kept exact under concurrency.

The counter moves only when a favorite row was really inserted or deleted (ON CONFLICT
DO NOTHING / DELETE ... RETURNING), with an atomic `count = count ± 1`: concurrent
requests never lose an update and repeating a request never double counts.
"""

from sqlalchemy import delete, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.conduit.articles.models import Article, Favorite
from app.core.db import violated_constraint
from app.core.errors import NotFound
from app.identity.users.models import User

ARTICLE_CONSTRAINT = "fk_favorites_article_id_articles"


async def _adjust_count(session: AsyncSession, article: Article, delta: int) -> None:
    await session.execute(
        update(Article)
        .where(Article.id == article.id)
        .values(favorites_count=Article.favorites_count + delta)
        .execution_options(synchronize_session=False)
    )
    session.expire(article, ["favorites_count"])


async def favorite(session: AsyncSession, user: User, article: Article) -> None:
    """Idempotent: favoriting an article twice counts once."""
    try:
        inserted = await session.scalar(
            insert(Favorite)
            .values(user_id=user.id, article_id=article.id)
            .on_conflict_do_nothing()
            .returning(Favorite.article_id)
        )
    except IntegrityError as error:
        if violated_constraint(error) == ARTICLE_CONSTRAINT:
            # Deleted by a concurrent request since it was looked up by slug.
            raise NotFound("article") from error
        raise
    if inserted is not None:
        await _adjust_count(session, article, +1)


async def unfavorite(session: AsyncSession, user: User, article: Article) -> None:
    """Idempotent: removing a favorite that does not exist changes nothing."""
    removed = await session.scalar(
        delete(Favorite)
        .where(Favorite.user_id == user.id, Favorite.article_id == article.id)
        .returning(Favorite.article_id)
    )
    if removed is not None:
        await _adjust_count(session, article, -1)
