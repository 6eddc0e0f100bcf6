"""The vocabulary of route signatures: sessions, settings and the calling user.

Routes declare what they need with these `Annotated` aliases; FastAPI resolves them in
parameter order, so authentication is listed before any resource lookup.
"""

from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Path, Request, Security
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.auth import credentials_from_header
from app.core.config import Settings
from app.core.database import get_session
from app.core.errors import Forbidden, NotFound, Unauthorized
from app.core.security import InvalidToken, decode_access_token
from app.core.text import StorableText
from app.models import Article, User, WebhookEndpoint
from app.models.user import has_username
from app.services import users
from app.services.login_throttle import LoginThrottle

# Every dependency is `async def`: FastAPI runs a plain `def` one in the thread pool, a
# thread hop per dependency per request.


async def get_settings_from_app(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings_from_app)]
# scope="function": commit/rollback runs before the response is sent (see get_session).
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
TokenDep = Annotated[str | None, Security(credentials_from_header)]

_INVALID_TOKEN = {"token": ["is invalid"]}


async def _user_for_token(token: str, session: AsyncSession, settings: Settings) -> User:
    try:
        subject = decode_access_token(token, settings)
    except InvalidToken as error:
        raise Unauthorized("The access token is invalid or expired.", _INVALID_TOKEN) from error
    user = await users.by_id(session, int(subject)) if subject.isdigit() else None
    if user is None:
        # A well-signed token for a user that no longer exists.
        raise Unauthorized("The access token is invalid or expired.", _INVALID_TOKEN)
    return user


# The settings are read from the request, not a SettingsDep: one dependency less to resolve
# on every authenticated request.


async def get_current_user(request: Request, token: TokenDep, session: SessionDep) -> User:
    if token is None:
        raise Unauthorized("This endpoint requires authentication.", {"token": ["is missing"]})
    return await _user_for_token(token, session, request.app.state.settings)


async def get_optional_user(request: Request, token: TokenDep, session: SessionDep) -> User | None:
    if token is None:
        return None
    return await _user_for_token(token, session, request.app.state.settings)


CurrentUser = Annotated[User, Depends(get_current_user)]
OptionalUser = Annotated[User | None, Depends(get_optional_user)]


async def get_login_throttle(request: Request, settings: SettingsDep) -> LoginThrottle:
    # The peer address, or the forwarded one when the proxy is trusted (FORWARDED_ALLOW_IPS).
    return LoginThrottle(
        client=request.client.host if request.client else "",
        limit=settings.login_failure_limit,
        window=timedelta(seconds=settings.login_failure_window_seconds),
    )


LoginThrottleDep = Annotated[LoginThrottle, Depends(get_login_throttle)]


# Load-or-404: routes receive the loaded object, never a bare identifier.


async def get_profile_user(
    username: Annotated[str, Path(max_length=255), StorableText], session: SessionDep
) -> User:
    user = await session.scalar(select(User).where(has_username(username)))
    if user is None:
        raise NotFound("profile")
    return user


ArticleSlug = Annotated[str, Path(max_length=512, description="The article's slug."), StorableText]


async def get_article(slug: ArticleSlug, session: SessionDep) -> Article:
    article = await session.scalar(select(Article).where(Article.slug == slug))
    if article is None:
        raise NotFound("article")
    return article


ProfileUser = Annotated[User, Depends(get_profile_user)]
ArticleBySlug = Annotated[Article, Depends(get_article)]


async def get_own_article(user: CurrentUser, article: ArticleBySlug) -> Article:
    if article.author_id != user.id:
        raise Forbidden("Only the author may change this article.", {"article": ["forbidden"]})
    return article


OwnArticle = Annotated[Article, Depends(get_own_article)]
"""The article at {slug}, which the current user wrote (401, 404, then 403)."""


WebhookId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The webhook's id.")]


async def get_own_webhook(
    user: CurrentUser, webhook_id: WebhookId, session: SessionDep
) -> WebhookEndpoint:
    endpoint = await session.get(WebhookEndpoint, webhook_id)
    if endpoint is None or endpoint.owner_id != user.id:
        raise NotFound("webhook")  # someone else's is not found either: ids reveal nothing
    return endpoint


OwnWebhook = Annotated[WebhookEndpoint, Depends(get_own_webhook)]
"""The webhook endpoint {webhook_id} of the current user (401, then 404)."""
