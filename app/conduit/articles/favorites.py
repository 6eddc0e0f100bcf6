"""Favorites, with `articles.favorites_count` kept exact under concurrency.

The counter moves only when a favorite row was really inserted or deleted (ON CONFLICT
DO NOTHING / DELETE ... RETURNING), with an atomic `count = count ± 1` in the same
statement: concurrent requests never lose an update and repeating a request never double
counts.
"""

from sqlalchemy import CTE, Update, delete, exists, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.conduit.articles.models import Article, Favorite
from app.core.db import violated_constraint
from app.core.errors import NotFound
from app.identity.users.models import User

ARTICLE_CONSTRAINT = "fk_favorites_article_id_articles"


def _count_if(changed: CTE, article: Article, delta: int) -> Update:
    """`favorites_count ± 1` if the favorite row really changed: in the same statement."""
    return (
        update(Article)
        .where(Article.id == article.id, exists(select(changed.c.article_id)))
        .values(favorites_count=Article.favorites_count + delta)
        .add_cte(changed)
        .execution_options(synchronize_session=False)
    )


async def favorite(session: AsyncSession, user: User, article: Article) -> None:
    """Idempotent: favoriting an article twice counts once. One statement."""
    added = (
        insert(Favorite)
        .values(user_id=user.id, article_id=article.id)
        .on_conflict_do_nothing()
        .returning(Favorite.article_id)
        .cte("added")
    )
    try:
        await session.execute(_count_if(added, article, +1))
    except IntegrityError as error:
        if violated_constraint(error) == ARTICLE_CONSTRAINT:
            # Deleted by a concurrent request since it was looked up by slug.
            raise NotFound("article") from error
        raise
    session.expire(article, ["favorites_count"])


async def unfavorite(session: AsyncSession, user: User, article: Article) -> None:
    """Idempotent: removing a favorite that does not exist changes nothing. One statement."""
    removed = (
        delete(Favorite)
        .where(Favorite.user_id == user.id, Favorite.article_id == article.id)
        .returning(Favorite.article_id)
        .cte("removed")
    )
    await session.execute(_count_if(removed, article, -1))
    session.expire(article, ["favorites_count"])
