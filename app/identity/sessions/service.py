"""Sessions: opened at sign-in, kept alive by rotating refresh tokens, ended by revocation.

A session has two clocks: its refresh token lapses when unused for REFRESH_TOKEN_TTL_DAYS,
and the session ends SESSION_ABSOLUTE_TTL_DAYS after it opened whatever its use. Every
refresh replaces the refresh token; the old one is kept, marked used, so that presenting
it again is recognised as theft: the whole session is revoked (the thief's and the
victim's copies both stop working) and the event recorded. Access tokens name the session
(`sid`), so revoking it rejects them on their next request.

Only sign-in, refresh and revocation write here; ordinary requests read the session as
part of the user lookup (`app.identity.users.service.by_session`).
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.auth import digest_of, new_opaque_token
from app.core.config import Settings
from app.core.db import delete_expired
from app.core.edge import RequestOrigin
from app.core.errors import Unauthorized
from app.identity.audit import service as audit
from app.identity.audit.service import AuditAction
from app.identity.sessions.models import RefreshToken, UserSession
from app.identity.users.models import User

logger = logging.getLogger(__name__)

# Ended sessions deleted (with their used refresh tokens) per sign-in.
SWEEP_BATCH = 100
INVALID_REFRESH = {"refreshToken": ["is invalid or expired"]}


@dataclass(frozen=True, slots=True)
class IssuedSession:
    session_id: int
    refresh_token: str  # the secret: sent to the client once, stored as a digest
    expires_at: datetime  # when the session lapses unless refreshed first


def _is_live() -> list[ColumnElement[bool]]:
    return [UserSession.revoked_at.is_(None), UserSession.expires_at > func.now()]


async def _issue_refresh_token(session: AsyncSession, session_id: int) -> str:
    token = new_opaque_token()
    await session.execute(insert(RefreshToken).values(digest=token.digest, session_id=session_id))
    return token.secret


async def open_session(
    session: AsyncSession, user: User, origin: RequestOrigin, settings: Settings
) -> IssuedSession:
    """A new session for `user` (login, registration), with its first refresh token."""
    now = func.now()
    opened = (
        await session.execute(
            insert(UserSession)
            .values(
                user_id=user.id,
                expires_at=now + timedelta(days=settings.refresh_token_ttl_days),
                absolute_expires_at=now + timedelta(days=settings.session_absolute_ttl_days),
                client_address=origin.client_address,
                user_agent=origin.user_agent,
            )
            .returning(UserSession.id, UserSession.expires_at)
        )
    ).one()
    secret = await _issue_refresh_token(session, opened.id)
    await delete_expired(session, UserSession.id, UserSession.expires_at, SWEEP_BATCH)
    return IssuedSession(opened.id, secret, opened.expires_at)


async def rotate_refresh_token(
    session: AsyncSession, refresh_token: str, origin: RequestOrigin, settings: Settings
) -> tuple[User, IssuedSession]:
    """Trade a refresh token for a new one (and the user, for a new access token).

    401 if the token is unknown, its session ended or its account is deactivated. A token
    already used revokes its session: that is COMMITTED before the 401, so the revocation
    survives the request's rollback.
    """
    found = (
        await session.execute(
            select(
                User,
                UserSession.id,
                RefreshToken.used_at,
                UserSession.revoked_at.is_(None).label("open"),
                (UserSession.expires_at > func.now()).label("unexpired"),
            )
            .select_from(RefreshToken)
            .join(UserSession, RefreshToken.session_id == UserSession.id)
            .join(User, UserSession.user_id == User.id)
            .where(RefreshToken.digest == digest_of(refresh_token))
            # One rotation of a session at a time: a token presented twice at once is
            # seen as used by the second request.
            .with_for_update(of=[RefreshToken.__table__, UserSession.__table__])
        )
    ).one_or_none()
    if found is None:
        raise Unauthorized("The refresh token is invalid or expired.", INVALID_REFRESH)
    user, session_id, used_at, is_open, unexpired = found
    if used_at is not None:
        await _revoke_for_reuse(session, user, session_id, origin, was_open=is_open)
        raise Unauthorized(
            "This refresh token was already used: the session is revoked; log in again.",
            {"refreshToken": ["was already used"]},
        )
    if not (is_open and unexpired) or user.deactivated_at is not None:
        raise Unauthorized("The refresh token is invalid or expired.", INVALID_REFRESH)
    return user, await _rotate(session, session_id, refresh_token, origin, settings)


async def _rotate(
    session: AsyncSession,
    session_id: int,
    used_token: str,
    origin: RequestOrigin,
    settings: Settings,
) -> IssuedSession:
    now = func.now()
    await session.execute(
        update(RefreshToken).where(RefreshToken.digest == digest_of(used_token)).values(used_at=now)
    )
    idle_lapse = now + timedelta(days=settings.refresh_token_ttl_days)
    expires_at = (
        await session.execute(
            update(UserSession)
            .where(UserSession.id == session_id)
            .values(
                last_refreshed_at=now,
                expires_at=func.least(idle_lapse, UserSession.absolute_expires_at),
                client_address=origin.client_address,
                user_agent=origin.user_agent,
            )
            .returning(UserSession.expires_at)
        )
    ).scalar_one()
    return IssuedSession(session_id, await _issue_refresh_token(session, session_id), expires_at)


async def _revoke_for_reuse(
    session: AsyncSession, user: User, session_id: int, origin: RequestOrigin, *, was_open: bool
) -> None:
    """Presumed theft: revoke the session, record it, and COMMIT (the request then fails)."""
    if was_open:
        await session.execute(
            update(UserSession).where(UserSession.id == session_id).values(revoked_at=func.now())
        )
    await audit.record(
        session,
        AuditAction.REFRESH_TOKEN_REUSED,
        origin,
        actor=None,
        subject=user,
        session_id=session_id,
        session_revoked=was_open,
    )
    await session.commit()
    logger.warning("refresh token reused: session %d of user %d revoked", session_id, user.id)


async def _revoke(session: AsyncSession, user: User, session_id: int) -> bool:
    result = await session.execute(
        update(UserSession)
        .where(UserSession.id == session_id, UserSession.user_id == user.id, *_is_live())
        .values(revoked_at=func.now())
        .returning(UserSession.id)
    )
    return result.first() is not None


async def log_out(
    session: AsyncSession, user: User, session_id: int, origin: RequestOrigin
) -> None:
    """End the session the request was made with."""
    await _revoke(session, user, session_id)
    await audit.record(
        session, AuditAction.LOGGED_OUT, origin, actor=user, subject=user, session_id=session_id
    )


async def revoke_session(
    session: AsyncSession, user: User, session_id: int, origin: RequestOrigin
) -> bool:
    """End one of the user's live sessions; False if there is no such live session."""
    if not await _revoke(session, user, session_id):
        return False
    await audit.record(
        session,
        AuditAction.SESSION_REVOKED,
        origin,
        actor=user,
        subject=user,
        session_id=session_id,
    )
    return True


async def log_out_everywhere(session: AsyncSession, user: User, origin: RequestOrigin) -> None:
    """End every session of the user, the current one included."""
    ended = await revoke_all_sessions(session, user)
    await audit.record(
        session, AuditAction.LOGGED_OUT_EVERYWHERE, origin, actor=user, subject=user, ended=ended
    )


async def revoke_all_sessions(session: AsyncSession, user: User, *, keep: int | None = None) -> int:
    """End every live session of the user (but `keep`, if given); how many were ended."""
    statement = update(UserSession).where(UserSession.user_id == user.id, *_is_live())
    if keep is not None:
        statement = statement.where(UserSession.id != keep)
    result = await session.execute(
        statement.values(revoked_at=func.now()).returning(UserSession.id)
    )
    return len(result.all())


async def live_sessions(session: AsyncSession, user: User) -> Sequence[UserSession]:
    """The user's sessions that are neither revoked nor expired, most recently used first."""
    statement = (
        select(UserSession)
        .where(UserSession.user_id == user.id, *_is_live())
        .order_by(UserSession.last_refreshed_at.desc(), UserSession.id.desc())
    )
    return (await session.scalars(statement)).all()
