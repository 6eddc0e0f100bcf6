"""The write side of articles: create, edit, delete, and their tags.

Slugs are unique by constraint: a new article's insert that collides inserts nothing
(`ON CONFLICT ... DO NOTHING`) and is tried again with a suffixed slug; a retitled
article's update is retried in a fresh savepoint. So concurrent articles with one title
both succeed.
"""

from datetime import timedelta
from itertools import islice

from sqlalchemy import (
    ARRAY,
    BigInteger,
    String,
    any_,
    bindparam,
    delete,
    func,
    select,
)
from sqlalchemy import update as update_statement
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.conduit.articles.models import Article, ArticleTag, Tag
from app.conduit.articles.schemas import ArticleChanges, NewArticle
from app.conduit.articles.slugs import candidates, slugify
from app.core.db import detached, table_of, violated_constraint
from app.core.edge import RequestOrigin
from app.core.errors import Conflict
from app.identity.audit import service as audit
from app.identity.audit.service import AuditAction
from app.identity.users.models import User
from app.integrations.webhooks import events as webhook_events
from app.integrations.webhooks.schemas import WebhookEvent

SLUG_CONSTRAINT = "uq_articles_slug"
SLUG_ATTEMPTS = 5


async def _save_titled(session: AsyncSession, article: Article, title: str) -> None:
    """Give `article` this title and a free slug made from it, and flush.

    Call with nothing else pending: `begin_nested()` flushes pending changes before its
    SAVEPOINT, and a collision there would abort the whole transaction.
    """
    for attempt, slug in enumerate(islice(candidates(title), SLUG_ATTEMPTS), start=1):
        try:
            async with session.begin_nested():
                article.title = title
                article.slug = slug
                session.add(article)
                await session.flush()
        except IntegrityError as error:
            if violated_constraint(error) != SLUG_CONSTRAINT or attempt == SLUG_ATTEMPTS:
                raise
        else:
            return


_ARTICLES = table_of(Article)
_TAGS = table_of(Tag)
_ARTICLE_TAGS = table_of(ArticleTag)
_INSERT_ARTICLE = (
    insert(_ARTICLES)
    .values(
        slug=bindparam("slug"),
        title=bindparam("title"),
        description=bindparam("description"),
        body=bindparam("body"),
        author_id=bindparam("author_id"),
    )
    .on_conflict_do_nothing(constraint=SLUG_CONSTRAINT)
    .returning(*_ARTICLES.columns)
)
_NAMES = bindparam("names", type_=ARRAY(String))
# In the order given (sorted): concurrent writers of the same new tags lock them in one
# order, so they cannot deadlock.
_INSERT_TAGS = (
    insert(_TAGS)
    .from_select(["name"], select(func.unnest(_NAMES).label("name")))
    .on_conflict_do_nothing()
)
_LINK_TAGS = insert(_ARTICLE_TAGS).from_select(
    ["article_id", "tag_id"],
    select(bindparam("article_id", type_=BigInteger), _TAGS.c.id).where(
        _TAGS.c.name == any_(_NAMES)
    ),
)


async def _insert_titled(session: AsyncSession, new: NewArticle, author_id: int) -> Article:
    """Insert the article under the first free slug made from its title: one statement
    per attempt, and no savepoint (a conflict that inserts nothing aborts nothing)."""
    values = {
        "title": new.title,
        "description": new.description,
        "body": new.body,
        "author_id": author_id,
    }
    for slug in islice(candidates(new.title), SLUG_ATTEMPTS):
        inserted = (
            (await session.execute(_INSERT_ARTICLE, {"slug": slug, **values}))
            .mappings()
            .one_or_none()
        )
        if inserted is not None:
            return detached(Article, dict(inserted))
    raise Conflict("No free slug for this title; change it a little.", {"title": ["taken"]})


async def _add_tags(session: AsyncSession, article_id: int, names: list[str]) -> None:
    """Two statements: the new tags, then the article's links to all of them. Not one: a
    tag that a concurrent article adds is committed after this statement's snapshot
    began, so only a statement of its own sees it to link it."""
    if not names:
        return
    ordered = sorted(names)
    await session.execute(_INSERT_TAGS, {"names": ordered})
    await session.execute(_LINK_TAGS, {"article_id": article_id, "names": ordered})


async def create(session: AsyncSession, author: User, new: NewArticle) -> Article:
    article = await _insert_titled(session, new, author.id)
    await _add_tags(session, article.id, new.tag_list)
    data = {"article": {"slug": article.slug, "title": article.title}, "author": author.username}
    await webhook_events.emit(session, author.id, WebhookEvent.ARTICLE_PUBLISHED, data)
    return article


_UNLINK_TAGS = delete(_ARTICLE_TAGS).where(
    _ARTICLE_TAGS.c.article_id == bindparam("article_id", type_=BigInteger)
)
# Each field changes only when given (NULL keeps the column), so one statement serves any
# mix of changes. Always a write, so updatedAt moves even when only the tags changed, and by
# at least the millisecond that clients see.
_UPDATE = (
    update_statement(_ARTICLES)
    .where(_ARTICLES.c.id == bindparam("article_id", type_=BigInteger))
    .values(
        {
            column: func.coalesce(bindparam(column.key, type_=column.type), column)
            for column in (_ARTICLES.c.title, _ARTICLES.c.description, _ARTICLES.c.body)
        }
        | {
            _ARTICLES.c.updated_at: func.greatest(
                func.clock_timestamp(), _ARTICLES.c.updated_at + timedelta(milliseconds=1)
            )
        }
    )
)


async def update(session: AsyncSession, article: Article, changes: ArticleChanges) -> None:
    """Changes only what was sent (null is refused by the schema, so None means absent).

    A new title gives a new slug, unless the slug would read the same ("Hello world" ->
    "Hello, World!"): links to the article survive a punctuation or case fix. `article`
    is not refreshed: read the article's view for the answer.
    """
    title = changes.title
    if title is not None and slugify(title) != slugify(article.title):
        await _save_titled(session, article, title)  # the title and its new slug
        title = None
    if changes.tag_list is not None:
        await session.execute(_UNLINK_TAGS, {"article_id": article.id})
        await _add_tags(session, article.id, changes.tag_list)
    await session.execute(
        _UPDATE,
        {
            "article_id": article.id,
            "title": title,
            "description": changes.description,
            "body": changes.body,
        },
    )


async def remove(session: AsyncSession, article: Article, by: User, origin: RequestOrigin) -> None:
    """Delete the article; by someone else than its author (a moderator), it is audited."""
    if by.id != article.author_id:
        await audit.record(
            session,
            AuditAction.ARTICLE_DELETED_BY_MODERATOR,
            origin,
            actor=by,
            subject=article.author_id,
            slug=article.slug,
            title=article.title,
        )
    # The rows that name it go with it (ON DELETE CASCADE): comments, favorites, tag links.
    await session.execute(delete(_ARTICLES).where(_ARTICLES.c.id == article.id))


# `GET /api/tags` answers at most this many: a tag cloud, not an export of every tag
# (one user could otherwise make the answer, and its query, as large as they like).
TAGS_LISTED = 100


async def tags_in_use(session: AsyncSession) -> list[str]:
    """The `TAGS_LISTED` most used tags on at least one article, most used first."""
    usage = (
        select(Tag.name)
        .join(ArticleTag)
        .group_by(Tag.id)
        # Among equals the newest first: a tag just used appears, however many came before.
        .order_by(func.count().desc(), Tag.id.desc())
        .limit(TAGS_LISTED)
    )
    return list(await session.scalars(usage))
