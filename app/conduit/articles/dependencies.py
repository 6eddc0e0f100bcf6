"""Route dependencies of the articles feature: the article at `{slug}`, and who may change it."""

from typing import Annotated

from fastapi import Depends, Path
from sqlalchemy import String, bindparam, select

from app.conduit.articles.models import Article
from app.core.auth import Role, has_role
from app.core.db import DriverRead, detached, table_of
from app.core.errors import Forbidden, NotFound
from app.core.text import StorableText
from app.deps import CallerUser, OptionalScopedUser, ScopedUser, SessionDep
from app.identity.personal_tokens.scopes import Scope
from app.identity.users.models import User

ArticleSlug = Annotated[str, Path(max_length=512, description="The article's slug."), StorableText]

# The user of a route about articles and comments: a session, or a personal access token
# with the scope (app/identity/personal_tokens/scopes.py).
ArticlesReader = Annotated[User, Depends(ScopedUser(Scope.ARTICLES_READ))]
OptionalArticlesReader = Annotated[User | None, Depends(OptionalScopedUser(Scope.ARTICLES_READ))]
ArticlesWriter = Annotated[User, Depends(ScopedUser(Scope.ARTICLES_WRITE))]


_BY_SLUG = DriverRead(
    select(*table_of(Article).columns).where(Article.slug == bindparam("slug", type_=String))
)


async def get_article(slug: ArticleSlug, session: SessionDep) -> Article:
    # Read on the driver and detached (app/core/db/_driver_reads.py): a write that changes
    # the article attaches it (app/conduit/articles/service.py).
    record = await _BY_SLUG.first(session, {"slug": slug})
    if record is None:
        raise NotFound("article")
    return detached(Article, record)


ArticleBySlug = Annotated[Article, Depends(get_article)]
"""The article at {slug} (404)."""


async def get_own_article(user: CallerUser, article: ArticleBySlug) -> Article:
    if article.author_id != user.id:
        raise Forbidden("Only the author may change this article.", {"article": ["forbidden"]})
    return article


OwnArticle = Annotated[Article, Depends(get_own_article)]
"""The article at {slug}, which the current user wrote (401, 404, then 403)."""


async def get_removable_article(user: CallerUser, article: ArticleBySlug) -> Article:
    if article.author_id != user.id and not has_role(user.role, Role.MODERATOR):
        raise Forbidden(
            "Only the author or a moderator may delete this article.", {"article": ["forbidden"]}
        )
    return article


RemovableArticle = Annotated[Article, Depends(get_removable_article)]
"""The article at {slug}, which the current user wrote or moderates (401, 404, then 403)."""
