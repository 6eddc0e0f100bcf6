"""The read side of articles: pages and single articles as a given viewer sees them.

A page costs three statements whatever its size: the rows (with author, `favorited` and
`following` computed in SQL), the total count, and the tags of every article on the page.
A single article costs two: its row and its tags.
"""

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, exists, false, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import NotFound
from app.models import Article, ArticleTag, Favorite, Follow, Tag, User
from app.models.user import has_username
from app.services.profiles import is_followed_by


@dataclass(frozen=True)
class ArticleView:
    article: Article
    author: User
    tags: list[str]
    favorited: bool
    following: bool


@dataclass(frozen=True)
class ArticleFilters:
    tag: str | None = None
    author: str | None = None
    favorited_by: str | None = None
    feed_of: User | None = None  # only articles by authors this user follows


@dataclass(frozen=True)
class ArticlePage:
    views: list[ArticleView]
    total: int


def _is_favorited_by(viewer: User | None) -> ColumnElement[bool]:
    if viewer is None:
        return false()
    return exists().where(Favorite.user_id == viewer.id, Favorite.article_id == Article.id)


def _conditions(filters: ArticleFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.tag is not None:
        tagged = select(ArticleTag.article_id).join(Tag).where(Tag.name == filters.tag)
        conditions.append(Article.id.in_(tagged))
    if filters.author is not None:
        authors = select(User.id).where(has_username(filters.author))
        conditions.append(Article.author_id.in_(authors))
    if filters.favorited_by is not None:
        favorites = (
            select(Favorite.article_id)
            .join(User, Favorite.user_id == User.id)
            .where(has_username(filters.favorited_by))
        )
        conditions.append(Article.id.in_(favorites))
    if filters.feed_of is not None:
        followed = select(Follow.followee_id).where(Follow.follower_id == filters.feed_of.id)
        conditions.append(Article.author_id.in_(followed))
    return conditions


def _rows(viewer: User | None) -> Select[Article, User, bool, bool]:
    return select(
        Article,
        User,
        _is_favorited_by(viewer).label("favorited"),
        is_followed_by(viewer, Article.author_id).label("following"),
    ).join(User, Article.author_id == User.id)


async def _tags_by_article(session: AsyncSession, article_ids: list[int]) -> dict[int, list[str]]:
    if not article_ids:
        return {}
    rows = await session.execute(
        select(ArticleTag.article_id, Tag.name)
        .join(Tag)
        .where(ArticleTag.article_id.in_(article_ids))
        # Alphabetical: what both RealWorld suites expect (see README, "Tag order").
        .order_by(ArticleTag.article_id, Tag.name.collate("C"))
    )
    tags: dict[int, list[str]] = defaultdict(list)
    for article_id, name in rows:
        tags[article_id].append(name)
    return tags


async def _views(
    session: AsyncSession, statement: Select[Article, User, bool, bool]
) -> list[ArticleView]:
    rows = (await session.execute(statement)).all()
    tags = await _tags_by_article(session, [row[0].id for row in rows])
    return [
        ArticleView(article, author, tags.get(article.id, []), favorited, following)
        for article, author, favorited, following in rows
    ]


async def page(
    session: AsyncSession,
    viewer: User | None,
    filters: ArticleFilters,
    *,
    limit: int,
    offset: int,
) -> ArticlePage:
    """Newest first; `total` counts every match, ignoring limit and offset."""
    conditions = _conditions(filters)
    statement = (
        _rows(viewer)
        .where(*conditions)
        .order_by(Article.created_at.desc(), Article.id.desc())
        .limit(limit)
        .offset(offset)
    )
    total = await session.scalar(select(func.count()).select_from(Article).where(*conditions))
    return ArticlePage(await _views(session, statement), total or 0)


async def _single(
    session: AsyncSession, viewer: User | None, condition: ColumnElement[bool]
) -> ArticleView:
    views = await _views(session, _rows(viewer).where(condition))
    if not views:
        raise NotFound("article")
    return views[0]


async def one(session: AsyncSession, viewer: User | None, article_id: int) -> ArticleView:
    """An article already looked up (404 only if a concurrent request deleted it)."""
    return await _single(session, viewer, Article.id == article_id)


async def by_slug(session: AsyncSession, viewer: User | None, slug: str) -> ArticleView:
    """Lookup and view in one statement, for reads that need no separate lookup."""
    return await _single(session, viewer, Article.slug == slug)
