"""Favorites, with `articles.favorites_count` kept exact under concurrency.

The counter moves only when a favorite row was really inserted or deleted (ON CONFLICT
DO NOTHING / DELETE ... RETURNING), with an atomic `count = count ± 1` in the same
statement: concurrent requests never lose an update and repeating a request never double
counts.
"""

from sqlalchemy import CTE, BigInteger, Update, bindparam, delete, exists, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.conduit.articles.models import Article, Favorite
from app.core.db import table_of, violated_constraint
from app.core.errors import NotFound

ARTICLE_CONSTRAINT = "fk_favorites_article_id_articles"

_ARTICLES = table_of(Article)
_FAVORITES = table_of(Favorite)
_USER_ID = bindparam("user_id", type_=BigInteger)
_ARTICLE_ID = bindparam("article_id", type_=BigInteger)


def _count_if(changed: CTE, delta: int) -> Update:
    """`favorites_count ± 1` if the favorite row really changed, in the same statement;
    returns the new count (no row: nothing changed)."""
    return (
        update(_ARTICLES)
        .where(_ARTICLES.c.id == _ARTICLE_ID, exists(select(changed.c.article_id)))
        .values(favorites_count=_ARTICLES.c.favorites_count + delta)
        .add_cte(changed)
        .returning(_ARTICLES.c.favorites_count)
    )


_FAVORITE = _count_if(
    insert(_FAVORITES)
    .values(user_id=_USER_ID, article_id=_ARTICLE_ID)
    .on_conflict_do_nothing()
    .returning(_FAVORITES.c.article_id)
    .cte("added"),
    +1,
)
_UNFAVORITE = _count_if(
    delete(_FAVORITES)
    .where(_FAVORITES.c.user_id == _USER_ID, _FAVORITES.c.article_id == _ARTICLE_ID)
    .returning(_FAVORITES.c.article_id)
    .cte("removed"),
    -1,
)


async def favorite(session: AsyncSession, user_id: int, article_id: int) -> int | None:
    """Idempotent: favoriting an article twice counts once. One statement; the new count,
    or None if it was already a favorite."""
    parameters = {"user_id": user_id, "article_id": article_id}
    try:
        count: int | None = await session.scalar(_FAVORITE, parameters)
    except IntegrityError as error:
        if violated_constraint(error) == ARTICLE_CONSTRAINT:
            # Deleted by a concurrent request since it was looked up by slug.
            raise NotFound("article") from error
        raise
    return count


async def unfavorite(session: AsyncSession, user_id: int, article_id: int) -> int | None:
    """Idempotent: removing a favorite that does not exist changes nothing. One statement;
    the new count, or None if it was not a favorite."""
    parameters = {"user_id": user_id, "article_id": article_id}
    count: int | None = await session.scalar(_UNFAVORITE, parameters)
    return count
