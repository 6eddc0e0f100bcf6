"""The vocabulary of route signatures: sessions, settings and the calling user.

Routes declare what they need with these `Annotated` aliases; FastAPI resolves them in
parameter order, so authentication is listed before any resource lookup.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Path, Request, Response, Security
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.auth.access_tokens import InvalidToken, decode_access_token
from app.core.auth.header import credentials_from_header
from app.core.auth.roles import Role, has_role, require_role
from app.core.config import Settings
from app.core.database import get_session
from app.core.errors import Forbidden, NotFound, Unauthorized
from app.core.mail import MailSender
from app.core.ratelimit.limiter import enforce, limits_rate
from app.core.ratelimit.policy import RateLimitPolicy
from app.core.request_origin import RequestOrigin, origin_of
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


@dataclass(frozen=True, slots=True)
class SignIn:
    """The authenticated user and the session their access token belongs to."""

    user: User
    session_id: int


async def _sign_in_for_token(token: str, session: AsyncSession, settings: Settings) -> SignIn:
    try:
        claims = decode_access_token(token, settings)
    except InvalidToken as error:
        raise Unauthorized("The access token is invalid or expired.", _INVALID_TOKEN) from error
    # One statement: the user with their session's state (revoked, expired).
    found = await users.by_session(session, claims.user_id, claims.session_id)
    if found is None:
        # A well-signed token for a user or session that no longer exists.
        raise Unauthorized("The access token is invalid or expired.", _INVALID_TOKEN)
    user, session_is_live = found
    if not session_is_live:
        raise Unauthorized("The session has ended (logged out, revoked, expired).", _INVALID_TOKEN)
    if user.deactivated_at is not None:
        raise Unauthorized("The account is deactivated.", _INVALID_TOKEN)
    return SignIn(user, claims.session_id)


# The settings are read from the request, not a SettingsDep: one dependency less to resolve
# on every authenticated request.


async def get_current_sign_in(request: Request, token: TokenDep, session: SessionDep) -> SignIn:
    if token is None:
        raise Unauthorized("This endpoint requires authentication.", {"token": ["is missing"]})
    return await _sign_in_for_token(token, session, request.app.state.settings)


async def get_current_user(request: Request, token: TokenDep, session: SessionDep) -> User:
    if token is None:
        raise Unauthorized("This endpoint requires authentication.", {"token": ["is missing"]})
    return (await _sign_in_for_token(token, session, request.app.state.settings)).user


async def get_optional_user(request: Request, token: TokenDep, session: SessionDep) -> User | None:
    if token is None:
        return None
    return (await _sign_in_for_token(token, session, request.app.state.settings)).user


CurrentUser = Annotated[User, Depends(get_current_user)]
OptionalUser = Annotated[User | None, Depends(get_optional_user)]
CurrentSignIn = Annotated[SignIn, Depends(get_current_sign_in)]
"""The user and their session: for routes that act on the session itself (logout)."""


# Roles (app/core/auth/roles.py): 401 without a valid token, then 403 below the rung.


async def get_moderator(user: CurrentUser) -> User:
    require_role(user.role, Role.MODERATOR)
    return user


async def get_admin(user: CurrentUser) -> User:
    require_role(user.role, Role.ADMIN)
    return user


Moderator = Annotated[User, Depends(get_moderator)]
"""The current user, who must be a moderator or an admin."""
Admin = Annotated[User, Depends(get_admin)]
"""The current user, who must be an admin."""


async def get_request_origin(request: Request) -> RequestOrigin:
    return origin_of(request)


OriginDep = Annotated[RequestOrigin, Depends(get_request_origin)]


async def get_login_throttle(request: Request, settings: SettingsDep) -> LoginThrottle:
    # The peer address, or the forwarded one when the proxy is trusted (FORWARDED_ALLOW_IPS).
    return LoginThrottle(
        client=request.client.host if request.client else "",
        limit=settings.login_failure_limit,
        window=timedelta(seconds=settings.login_failure_window_seconds),
    )


LoginThrottleDep = Annotated[LoginThrottle, Depends(get_login_throttle)]


async def get_mail_throttle(request: Request, settings: SettingsDep) -> LoginThrottle:
    return LoginThrottle(
        client=request.client.host if request.client else "",
        limit=settings.mail_request_limit,
        window=timedelta(seconds=settings.mail_request_window_seconds),
        purpose="mail",
    )


async def get_mail_sender(settings: SettingsDep) -> MailSender:
    return MailSender(settings)


MailThrottleDep = Annotated[LoginThrottle, Depends(get_mail_throttle)]
"""Requests for mailed links per email and client address (MAIL_REQUEST_LIMIT)."""
MailerDep = Annotated[MailSender, Depends(get_mail_sender)]


# Load-or-404: routes receive the loaded object, never a bare identifier.


Username = Annotated[str, Path(max_length=255), StorableText]


async def _user_named(username: str, session: AsyncSession, resource: str) -> User:
    user = await session.scalar(select(User).where(has_username(username)))
    if user is None:
        raise NotFound(resource)
    return user


async def get_profile_user(username: Username, session: SessionDep) -> User:
    return await _user_named(username, session, "profile")


async def get_user_by_username(username: Username, session: SessionDep) -> User:
    return await _user_named(username, session, "user")


ArticleSlug = Annotated[str, Path(max_length=512, description="The article's slug."), StorableText]


async def get_article(slug: ArticleSlug, session: SessionDep) -> Article:
    article = await session.scalar(select(Article).where(Article.slug == slug))
    if article is None:
        raise NotFound("article")
    return article


ProfileUser = Annotated[User, Depends(get_profile_user)]
UserByUsername = Annotated[User, Depends(get_user_by_username)]
"""An account, for the admin endpoints (the profile's `404 profile` says `404 user` here)."""
ArticleBySlug = Annotated[Article, Depends(get_article)]


async def get_own_article(user: CurrentUser, article: ArticleBySlug) -> Article:
    if article.author_id != user.id:
        raise Forbidden("Only the author may change this article.", {"article": ["forbidden"]})
    return article


OwnArticle = Annotated[Article, Depends(get_own_article)]
"""The article at {slug}, which the current user wrote (401, 404, then 403)."""


async def get_removable_article(user: CurrentUser, article: ArticleBySlug) -> Article:
    if article.author_id != user.id and not has_role(user.role, Role.MODERATOR):
        raise Forbidden(
            "Only the author or a moderator may delete this article.", {"article": ["forbidden"]}
        )
    return article


RemovableArticle = Annotated[Article, Depends(get_removable_article)]
"""The article at {slug}, which the current user wrote or moderates (401, 404, then 403)."""


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


# Rate limits on writes (app/core/ratelimit; README "Rate limiting"): one statement per
# limited request, none on reads; per user (the token's subject), else per client address.
# Keyed from the token, not CurrentUser: the count must take its pool connection and give
# it back BEFORE the request's session takes one, or a write would hold two at once and a
# burst would exhaust the pool. An invalid token is counted for the address (then 401).


async def _limit_writes(request: Request, response: Response, key: str) -> None:
    settings: Settings = request.app.state.settings
    if settings.rate_limit_writes:  # 0: off
        policy = RateLimitPolicy(
            "writes", settings.rate_limit_writes, settings.rate_limit_window_seconds
        )
        await enforce(request, response, policy, key)


def _address(request: Request) -> str:
    return f"address:{request.client.host if request.client else ''}"


@limits_rate
async def limit_user_writes(request: Request, response: Response, token: TokenDep) -> None:
    try:
        claims = decode_access_token(token, request.app.state.settings) if token else None
        key = f"user:{claims.user_id}" if claims else None
    except InvalidToken:
        key = None
    await _limit_writes(request, response, key or _address(request))


@limits_rate
async def limit_anonymous_writes(request: Request, response: Response) -> None:
    await _limit_writes(request, response, _address(request))


# For route decorators: `dependencies=WRITE_LIMITED`. Route dependencies run before the
# endpoint's, so the count comes first (a 429 before a 401, 404 or 422).
WRITE_LIMITED = [Depends(limit_user_writes)]
ANONYMOUS_WRITE_LIMITED = [Depends(limit_anonymous_writes)]
