"""The write side of articles: create, edit, delete, and their tags.

Slugs are unique by constraint: an insert that collides is retried in a fresh savepoint
with a suffixed slug, so concurrent articles with one title both succeed.
"""

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.database import violated_constraint
from app.models import Article, ArticleTag, Tag, User
from app.schemas.article import ArticleChanges, NewArticle
from app.services.slugs import slugify, with_suffix

SLUG_CONSTRAINT = "uq_articles_slug"
SLUG_ATTEMPTS = 5


async def _flush_with_unique_slug(session: AsyncSession, article: Article, title: str) -> None:
    base = slugify(title)
    for attempt in range(SLUG_ATTEMPTS):
        article.slug = base if attempt == 0 else with_suffix(base)
        try:
            async with session.begin_nested():
                session.add(article)
                await session.flush()
        except IntegrityError as error:
            if violated_constraint(error) != SLUG_CONSTRAINT or attempt == SLUG_ATTEMPTS - 1:
                raise
        else:
            return


async def _set_tags(session: AsyncSession, article_id: int, names: list[str]) -> None:
    await session.execute(delete(ArticleTag).where(ArticleTag.article_id == article_id))
    if not names:
        return
    await session.execute(
        insert(Tag).values([{"name": name} for name in names]).on_conflict_do_nothing()
    )
    tag_ids = dict(
        (await session.execute(select(Tag.name, Tag.id).where(Tag.name.in_(names)))).all()
    )
    await session.execute(
        insert(ArticleTag).values(
            [{"article_id": article_id, "tag_id": tag_ids[name]} for name in names]
        )
    )


async def create(session: AsyncSession, author: User, new: NewArticle) -> Article:
    article = Article(
        title=new.title, description=new.description, body=new.body, author_id=author.id
    )
    await _flush_with_unique_slug(session, article, new.title)
    await _set_tags(session, article.id, new.tag_list)
    return article


async def update(session: AsyncSession, article: Article, changes: ArticleChanges) -> Article:
    """Changes only what was sent; a new title gives a new slug, anything else keeps it."""
    provided = changes.model_fields_set
    for field in ("description", "body"):
        if field in provided:
            setattr(article, field, getattr(changes, field))
    if changes.title is not None and changes.title != article.title:
        article.title = changes.title
        await _flush_with_unique_slug(session, article, changes.title)
    if changes.tag_list is not None:
        await _set_tags(session, article.id, changes.tag_list)
    # Always a write, so updatedAt moves even when only the tags changed.
    article.updated_at = func.clock_timestamp()
    await session.flush()
    return article


async def remove(session: AsyncSession, article: Article) -> None:
    await session.delete(article)
    await session.flush()


async def tags_in_use(session: AsyncSession) -> list[str]:
    """Every tag on at least one article, most used first."""
    usage = (
        select(Tag.name).join(ArticleTag).group_by(Tag.id).order_by(func.count().desc(), Tag.name)
    )
    return list(await session.scalars(usage))
