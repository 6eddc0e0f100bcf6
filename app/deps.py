"""The vocabulary of route signatures: sessions, settings and the calling user.

Routes declare what they need with these `Annotated` aliases; FastAPI resolves them in
parameter order, so authentication is listed before any resource lookup.
"""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Response, Security
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.auth import (
    InvalidToken,
    Role,
    credentials_from_header,
    decode_access_token,
    require_role,
)
from app.core.config import Settings
from app.core.db import get_session
from app.core.edge import RequestOrigin, origin_of
from app.core.errors import Unauthorized
from app.core.mail import MailSender
from app.core.ratelimit import RateLimitPolicy, enforce, limits_rate
from app.identity.users import service as users
from app.identity.users.models import User

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


# Roles (app/core/auth/_roles.py): 401 without a valid token, then 403 below the rung.


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


async def get_mail_sender(settings: SettingsDep) -> MailSender:
    return MailSender(settings)


MailerDep = Annotated[MailSender, Depends(get_mail_sender)]


# Rate limits on writes (app/core/ratelimit; docs/rate-limits.md): one statement per
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
