"""The vocabulary of route signatures: sessions, settings and the calling user.

Routes declare what they need with these `Annotated` aliases; FastAPI resolves them in
parameter order, so authentication is listed before any resource lookup.
"""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Response, Security
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.auth import (
    AccessClaims,
    InvalidToken,
    Role,
    credentials_from_header,
    decode_access_token,
    require_role,
)
from app.core.config import Settings
from app.core.db import get_session
from app.core.edge import RequestOrigin, origin_of
from app.core.errors import Forbidden, Unauthorized
from app.core.mail import MailSender
from app.core.ratelimit import (
    RateLimitPolicy,
    admit,
    count_parameters,
    counting_session,
    enforce,
    limits_rate,
    sweep_now_and_then,
)
from app.identity.personal_tokens import service as personal_tokens
from app.identity.personal_tokens.scopes import Scope
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


Caller = SignIn | personal_tokens.Grant
"""Whoever a request's credential names: a session (its access token) or a personal
access token's grant."""


@dataclass(frozen=True, slots=True)
class _CountedTokenRead:
    """The authentication read a write's rate limit made for `token` (`limit_user_writes`:
    one statement for the quota and the sign-in), kept on the request for the
    authentication dependency, which then sends nothing."""

    token: str
    claims: AccessClaims
    found: tuple[User, bool] | None


@dataclass(frozen=True, slots=True)
class _GrantRead:
    """A personal access token's grant, read by the write limit for its quota's key."""

    token: str
    grant: personal_tokens.Grant | None


async def _sign_in_for_token(request: Request, token: str, session: AsyncSession) -> SignIn:
    read: _CountedTokenRead | None = getattr(request.state, "counted_token_read", None)
    if read is not None and read.token == token:
        claims, found = read.claims, read.found
    else:
        try:
            claims = decode_access_token(token, request.app.state.settings)
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


async def _grant_for_token(
    request: Request, token: str, session: AsyncSession
) -> personal_tokens.Grant:
    read: _GrantRead | None = getattr(request.state, "grant_read", None)
    grant = (
        read.grant
        if read is not None and read.token == token
        else await personal_tokens.grant_for(session, token)
    )
    if grant is None:
        raise Unauthorized(
            "The personal access token is unknown, revoked or expired.", _INVALID_TOKEN
        )
    if grant.user.deactivated_at is not None:
        raise Unauthorized("The account is deactivated.", _INVALID_TOKEN)
    return grant


async def _caller(request: Request, token: str, session: AsyncSession) -> Caller:
    """The request's caller, read once per request: every user dependency of a route (its
    own, and those of its resource lookups) reads the header, the session and this, rather
    than depending on one another, which would be another level of dependency resolution
    on every authenticated request."""
    cached: Caller | None = getattr(request.state, "caller", None)
    if cached is not None:
        return cached
    if personal_tokens.is_personal_token(token):
        caller: Caller = await _grant_for_token(request, token, session)
    else:
        caller = await _sign_in_for_token(request, token, session)
    request.state.caller = caller
    return caller


# The settings are read from the request, not a SettingsDep: one dependency less to resolve
# on every authenticated request.


def _missing() -> Unauthorized:
    return Unauthorized("This endpoint requires authentication.", {"token": ["is missing"]})


_SESSIONS_ONLY = (
    "This operation needs a signed-in session: personal access tokens cannot use it.",
    {"token": ["is a personal access token"]},
)


def _session_of(caller: Caller) -> SignIn:
    if not isinstance(caller, SignIn):
        raise Forbidden(*_SESSIONS_ONLY)
    return caller


async def get_current_sign_in(request: Request, token: TokenDep, session: SessionDep) -> SignIn:
    if token is None:
        raise _missing()
    return _session_of(await _caller(request, token, session))


async def get_current_user(request: Request, token: TokenDep, session: SessionDep) -> User:
    if token is None:
        raise _missing()
    return _session_of(await _caller(request, token, session)).user


async def get_optional_user(request: Request, token: TokenDep, session: SessionDep) -> User | None:
    if token is None:
        return None
    return _session_of(await _caller(request, token, session)).user


async def get_caller_user(request: Request, token: TokenDep, session: SessionDep) -> User:
    if token is None:
        raise _missing()
    return (await _caller(request, token, session)).user


CurrentUser = Annotated[User, Depends(get_current_user)]
"""The signed-in user (a session's access token; a personal access token gets 403)."""
OptionalUser = Annotated[User | None, Depends(get_optional_user)]
CurrentSignIn = Annotated[SignIn, Depends(get_current_sign_in)]
"""The user and their session: for routes that act on the session itself (logout)."""
CallerUser = Annotated[User, Depends(get_caller_user)]
"""The user of whichever credential the request carries, its scopes unchecked: for the
dependencies of routes whose own user parameter checks them (a `ScopedUser`)."""


def _require_scope(caller: Caller, scope: str) -> None:
    if isinstance(caller, personal_tokens.Grant) and scope not in caller.scopes:
        raise Forbidden(
            f"This personal access token does not have the scope {scope}.",
            {"token": [f"lacks the scope {scope}"]},
        )


class ScopedUser:
    """The user, for a session or for a personal access token granted `token_scope`
    (else 403): how a route says which scope it needs, `Annotated[User,
    Depends(ScopedUser(Scope.PROFILE_READ))]`. The OpenAPI document lists each
    operation's scopes (`x-token-scopes`, app/core/auth/_token_scopes.py)."""

    def __init__(self, scope: str) -> None:
        self.token_scope = scope

    async def __call__(self, request: Request, token: TokenDep, session: SessionDep) -> User:
        if token is None:
            raise _missing()
        caller = await _caller(request, token, session)
        _require_scope(caller, self.token_scope)
        return caller.user


class OptionalScopedUser:
    """`ScopedUser` for routes open to anonymous requests (None without a token)."""

    def __init__(self, scope: str) -> None:
        self.token_scope = scope

    async def __call__(self, request: Request, token: TokenDep, session: SessionDep) -> User | None:
        if token is None:
            return None
        caller = await _caller(request, token, session)
        _require_scope(caller, self.token_scope)
        return caller.user


ProfileReader = Annotated[User, Depends(ScopedUser(Scope.PROFILE_READ))]
OptionalProfileReader = Annotated[User | None, Depends(OptionalScopedUser(Scope.PROFILE_READ))]
ProfileWriter = Annotated[User, Depends(ScopedUser(Scope.PROFILE_WRITE))]


# Roles (app/core/auth/_roles.py): 401 without a valid token, then 403 below the rung.
# Personal access tokens reach them with the admin scope, and the role is checked too.


async def get_moderator(user: Annotated[User, Depends(ScopedUser(Scope.ADMIN))]) -> User:
    require_role(user.role, Role.MODERATOR)
    return user


async def get_admin(user: Annotated[User, Depends(ScopedUser(Scope.ADMIN))]) -> User:
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
# With a well-signed token the count rides on the authentication read (one statement for
# both, kept for `get_current_user`); otherwise it is a statement of its own, keyed by the
# address (an invalid token is counted for the address, then 401). Either way it takes its
# pool connection and gives it back BEFORE the request's session takes one: a write never
# holds two at once, so a burst cannot exhaust the pool.


def _write_policy(settings: Settings) -> RateLimitPolicy:
    return RateLimitPolicy("writes", settings.rate_limit_writes, settings.rate_limit_window_seconds)


async def _limit_writes(request: Request, response: Response, key: str) -> None:
    settings: Settings = request.app.state.settings
    if settings.rate_limit_writes:  # 0: off
        await enforce(request, response, _write_policy(settings), key)


def _address(request: Request) -> str:
    return f"address:{request.client.host if request.client else ''}"


@limits_rate
async def limit_user_writes(request: Request, response: Response, token: TokenDep) -> None:
    settings: Settings = request.app.state.settings
    if not settings.rate_limit_writes:  # 0: off
        return
    policy = _write_policy(settings)
    if token is not None and personal_tokens.is_personal_token(token):
        await _limit_token_writes(request, response, policy, token)
        return
    try:
        claims = decode_access_token(token, settings) if token else None
    except InvalidToken:
        claims = None
    if token is None or claims is None:  # the address is counted (then 401 if a bad token)
        await enforce(request, response, policy, _address(request))
        return
    key = f"user:{claims.user_id}"
    async with counting_session(request) as session:
        counted = await users.by_session_counted(
            session, claims.user_id, claims.session_id, count_parameters(policy, key)
        )
    request.state.counted_token_read = _CountedTokenRead(token, claims, counted.found)
    await sweep_now_and_then(request, policy)
    admit(response, policy, key, counted.count, counted.reset_seconds)


async def _limit_token_writes(
    request: Request, response: Response, policy: RateLimitPolicy, token: str
) -> None:
    """A personal access token's writes count for its account, as its sessions' do: the
    grant is read first (kept for the authentication dependency), then counted."""
    async with counting_session(request) as session:
        grant = await personal_tokens.grant_for(session, token)
    request.state.grant_read = _GrantRead(token, grant)
    key = _address(request) if grant is None else f"user:{grant.user.id}"
    await enforce(request, response, policy, key)


@limits_rate
async def limit_anonymous_writes(request: Request, response: Response) -> None:
    await _limit_writes(request, response, _address(request))


# For route decorators: `dependencies=WRITE_LIMITED`. Route dependencies run before the
# endpoint's, so the count comes first (a 429 before a 401, 404 or 422).
WRITE_LIMITED = [Depends(limit_user_writes)]
ANONYMOUS_WRITE_LIMITED = [Depends(limit_anonymous_writes)]
