"""The read side of articles: pages and single articles as a given viewer sees them.

One statement each, whatever the page size: the rows with their author, tags (an array
subquery), `favorited` and `following` computed in SQL, and for pages the total number of
matches (a window count over the page's ids). One statement also means one snapshot, so
these reads need no transaction around them (see `Sessions` in app/core/db/_engine.py).
Core, not ORM entities, run on the driver (app/core/db/_driver_reads.py): the rows are read
straight into the response; loading them through the identity map and SQLAlchemy's result
objects cost as much as all the rest of the request.

A view is a mapping with the columns of `_VIEW_COLUMNS`: slug, title, description, body, tags,
created_at, updated_at, favorites_count, favorited, following, author_username,
author_bio, author_image.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Select,
    String,
    bindparam,
    exists,
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from app.conduit.articles.models import Article, ArticleTag, Favorite, Tag
from app.conduit.profiles.models import Follow
from app.core.db import DriverRead, Record
from app.core.errors import NotFound
from app.identity.users.models import User, has_bound_username

ArticleView = Record

_articles = Article.__table__.c
_users = User.__table__.c
_favorites = Favorite.__table__.c
_follows = Follow.__table__.c
_article_tags = ArticleTag.__table__.c
_tags = Tag.__table__.c


@dataclass(frozen=True)
class ArticleFilters:
    tag: str | None = None
    author: str | None = None
    favorited_by: str | None = None
    feed: bool = False  # only articles by authors the viewer follows


@dataclass(frozen=True)
class ArticlePage:
    views: Sequence[ArticleView]
    total: int


# Statements are built once, with bound parameters, and reused: SQLAlchemy then finds the
# compiled SQL by the statement's memoized cache key instead of walking a new statement
# tree on every request. The viewer is a parameter too: NULL (anonymous) matches no row,
# so `favorited` and `following` are false.
_VIEWER = bindparam("viewer_id", type_=BigInteger)
_FAVORITED = exists().where(_favorites.user_id == _VIEWER, _favorites.article_id == _articles.id)
_FOLLOWING = exists().where(
    _follows.follower_id == _VIEWER, _follows.followee_id == _articles.author_id
)


# Alphabetical: what both RealWorld suites expect (docs/conduit.md).
_TAGS = (
    select(_tags.name)
    .join(ArticleTag.__table__, _article_tags.tag_id == _tags.id)
    .where(_article_tags.article_id == _articles.id)
    .order_by(_tags.name.collate("C"))
)


_VIEW_COLUMNS = [
    _articles.id,
    _articles.slug,
    _articles.title,
    _articles.description,
    _articles.body,
    func.array(_TAGS.scalar_subquery()).label("tags"),
    _articles.created_at,
    _articles.updated_at,
    _articles.favorites_count,
    _FAVORITED.label("favorited"),
    _FOLLOWING.label("following"),
    _users.username.label("author_username"),
    _users.bio.label("author_bio"),
    _users.image.label("author_image"),
]


def _conditions(filters: "_FilterShape") -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.tag:
        tagged = (
            select(_article_tags.article_id)
            .join(Tag.__table__, _tags.id == _article_tags.tag_id)
            .where(_tags.name == bindparam("tag", type_=String))
        )
        conditions.append(_articles.id.in_(tagged))
    if filters.author:
        conditions.append(
            _articles.author_id.in_(select(_users.id).where(has_bound_username("author")))
        )
    if filters.favorited_by:
        favorites = (
            select(_favorites.article_id)
            .join(User.__table__, _favorites.user_id == _users.id)
            .where(has_bound_username("favorited_by"))
        )
        conditions.append(_articles.id.in_(favorites))
    if filters.feed:
        followed = select(_follows.followee_id).where(_follows.follower_id == _VIEWER)
        conditions.append(_articles.author_id.in_(followed))
    return conditions


@dataclass(frozen=True)
class _FilterShape:
    """Which filters a page uses: one statement per shape, built on first use."""

    tag: bool
    author: bool
    favorited_by: bool
    feed: bool


_NEWEST_FIRST = (_articles.created_at.desc(), _articles.id.desc())
_WITH_AUTHOR = Article.__table__.join(User.__table__, _users.id == _articles.author_id)


@cache
def _page_statements(shape: _FilterShape) -> tuple[DriverRead, Select[Any]]:
    """The page (rows and total) and, for a page past the end, the count alone."""
    conditions = _conditions(shape)
    # The page's ids and the total first: the per-row subqueries then run for its rows only.
    ids = (
        select(_articles.id, func.count().over().label("total"))
        .where(*conditions)
        .order_by(*_NEWEST_FIRST)
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
        .cte("page")
    )
    rows = (
        select(*_VIEW_COLUMNS, ids.c.total)
        .select_from(_WITH_AUTHOR.join(ids, ids.c.id == _articles.id))
        .order_by(*_NEWEST_FIRST)
    )
    count = select(func.count()).select_from(Article.__table__).where(*conditions)
    return DriverRead(rows), count


async def page(
    session: AsyncSession,
    viewer: User | None,
    filters: ArticleFilters,
    *,
    limit: int,
    offset: int,
) -> ArticlePage:
    """Newest first; `total` counts every match, ignoring limit and offset."""
    shape = _FilterShape(
        tag=filters.tag is not None,
        author=filters.author is not None,
        favorited_by=filters.favorited_by is not None,
        feed=filters.feed,
    )
    rows, count = _page_statements(shape)
    parameters = {
        "viewer_id": _id(viewer),
        "tag": filters.tag,
        "author": filters.author,
        "favorited_by": filters.favorited_by,
        "limit": limit,
        "offset": offset,
    }
    views = await rows.fetch(session, parameters)
    if views:
        return ArticlePage(views, int(views[0]["total"]))
    # Past the end the page has no row to carry the total: count apart (rare).
    total = await session.scalar(count, parameters) if offset else 0
    return ArticlePage(views, total or 0)


def _id(user: User | None) -> int | None:
    return None if user is None else user.id


_BY_ID = DriverRead(
    select(*_VIEW_COLUMNS).select_from(_WITH_AUTHOR).where(_articles.id == bindparam("id"))
)
_BY_SLUG = DriverRead(
    select(*_VIEW_COLUMNS)
    .select_from(_WITH_AUTHOR)
    .where(_articles.slug == bindparam("slug", type_=String))
)


async def _single(
    session: AsyncSession, statement: DriverRead, parameters: dict[str, Any]
) -> ArticleView:
    view = await statement.first(session, parameters)
    if view is None:
        raise NotFound("article")
    return view


async def one(session: AsyncSession, viewer: User | None, article_id: int) -> ArticleView:
    """An article already looked up (404 only if a concurrent request deleted it)."""
    return await _single(session, _BY_ID, {"id": article_id, "viewer_id": _id(viewer)})


async def by_slug(session: AsyncSession, viewer: User | None, slug: str) -> ArticleView:
    """Lookup and view in one statement, for reads that need no separate lookup."""
    return await _single(session, _BY_SLUG, {"slug": slug, "viewer_id": _id(viewer)})
