"""Personal access tokens: issued to a signed-in account, used by scripts in place of a
session's access token, revoked at once.

The secret is `pat_` and 256 random bits; only its SHA-256 is stored (as refresh tokens
are), with its first characters as the visible `prefix`. A request with one is one
statement: the token joined with its account, checked live (not revoked, not expired).
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.auth import Role, digest_of, has_role
from app.core.edge import RequestOrigin
from app.core.errors import Conflict, Forbidden, NotFound
from app.identity.audit import service as audit
from app.identity.audit.service import AuditAction
from app.identity.personal_tokens.models import PersonalAccessToken
from app.identity.personal_tokens.scopes import ADMIN_SCOPES, Scope
from app.identity.users.models import User

TOKEN_PREFIX = "pat_"  # noqa: S105 (what a token starts with, not a token)
_SECRET_BYTES = 32
_VISIBLE_CHARACTERS = len(TOKEN_PREFIX) + 8
# Live tokens one account may hold: each is a standing credential to keep track of.
MAX_TOKENS_PER_ACCOUNT = 20
# A use writes `last_used_at` only when the stored time is older than this: one write per
# token per interval and worker at most, never one per request.
TOUCH_INTERVAL = timedelta(seconds=60)

_TOKENS = PersonalAccessToken.__table__.c
_USERS = User.__table__.c
_LIVE = and_(_TOKENS.revoked_at.is_(None), _TOKENS.expires_at > func.now())


@dataclass(frozen=True, slots=True)
class Grant:
    """What a request with a personal access token may do: as `user`, within `scopes`."""

    user: User
    token_id: int
    scopes: frozenset[str]


@dataclass(frozen=True, slots=True)
class IssuedToken:
    row: PersonalAccessToken
    secret: str  # shown once


def is_personal_token(credential: str) -> bool:
    """Whether an Authorization header's credential is a personal access token (else a
    session's JWT): told apart by the prefix, before anything is decoded or read."""
    return credential.startswith(TOKEN_PREFIX)


async def grant_for(session: AsyncSession, credential: str) -> Grant | None:
    """The grant of a live token (None for an unknown, revoked or expired one); its use is
    recorded when the stored `last_used_at` is older than `TOUCH_INTERVAL`."""
    found = (
        await session.execute(
            select(
                User,
                _TOKENS.id.label("token_id"),
                _TOKENS.scopes,
                or_(
                    _TOKENS.last_used_at.is_(None),
                    _TOKENS.last_used_at < func.now() - TOUCH_INTERVAL,
                ).label("stale"),
            )
            .join(PersonalAccessToken.__table__, _TOKENS.user_id == _USERS.id)
            .where(_TOKENS.digest == digest_of(credential), _LIVE)
        )
    ).one_or_none()
    if found is None:
        return None
    user, token_id, scopes, stale = found
    if stale:
        await session.execute(
            update(PersonalAccessToken)
            .where(
                _TOKENS.id == token_id,
                or_(
                    _TOKENS.last_used_at.is_(None),
                    _TOKENS.last_used_at < func.now() - TOUCH_INTERVAL,
                ),
            )
            .values(last_used_at=func.now())
        )
    return Grant(user, token_id, frozenset(scopes))


async def issue(
    session: AsyncSession,
    user: User,
    origin: RequestOrigin,
    *,
    name: str,
    scopes: list[Scope],
    lifetime: timedelta,
) -> IssuedToken:
    """A new token; 403 for a scope above the account's role, 409 past the per-account cap."""
    above_role = sorted(set(scopes) & ADMIN_SCOPES) if not has_role(user.role, Role.ADMIN) else []
    if above_role:
        raise Forbidden(
            "Only admins may grant a token the admin scope.",
            {"scopes": ["admin needs the admin role"]},
        )
    live = await session.scalar(
        select(func.count())
        .select_from(PersonalAccessToken)
        .where(_TOKENS.user_id == user.id, _LIVE)
    )
    if (live or 0) >= MAX_TOKENS_PER_ACCOUNT:
        raise Conflict(
            f"An account holds at most {MAX_TOKENS_PER_ACCOUNT} live tokens: revoke one first.",
            {"tokens": [f"at most {MAX_TOKENS_PER_ACCOUNT}"]},
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(_SECRET_BYTES)
    row = (
        await session.scalars(
            insert(PersonalAccessToken)
            .values(
                user_id=user.id,
                name=name,
                prefix=secret[:_VISIBLE_CHARACTERS],
                digest=digest_of(secret),
                scopes=sorted(set(scopes)),
                expires_at=func.now() + lifetime,
            )
            .returning(PersonalAccessToken)
        )
    ).one()
    await audit.record(
        session,
        AuditAction.TOKEN_CREATED,
        origin,
        actor=user,
        subject=user,
        token_id=row.id,
        name=name,
        scopes=row.scopes,
    )
    return IssuedToken(row, secret)


async def list_tokens(session: AsyncSession, user_id: int) -> list[PersonalAccessToken]:
    """The account's tokens not revoked (expired ones too, until they are revoked), newest
    first."""
    statement = (
        select(PersonalAccessToken)
        .where(_TOKENS.user_id == user_id, _TOKENS.revoked_at.is_(None))
        .order_by(_TOKENS.id.desc())
    )
    return list(await session.scalars(statement))


async def revoke(session: AsyncSession, user: User, token_id: int, origin: RequestOrigin) -> None:
    """The token stops working with the next request; 404 for another account's or an
    already revoked one."""
    revoked = await session.scalar(
        update(PersonalAccessToken)
        .where(_TOKENS.id == token_id, _TOKENS.user_id == user.id, _TOKENS.revoked_at.is_(None))
        .values(revoked_at=func.now())
        .returning(_TOKENS.name)
    )
    if revoked is None:
        raise NotFound("token")
    await audit.record(
        session,
        AuditAction.TOKEN_REVOKED,
        origin,
        actor=user,
        subject=user,
        token_id=token_id,
        name=revoked,
    )
