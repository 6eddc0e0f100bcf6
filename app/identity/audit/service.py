"""The audit log: security events recorded with actor, subject, time, client and request id.

`record` adds an event to the current transaction, so it is kept exactly when the change
it describes is. Where a request ends in an error that must still be on record (a failed
login, a reused refresh token) the service commits before raising.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.core.edge import RequestOrigin
from app.identity.audit.models import AuditEvent
from app.identity.users.models import User, has_username


class AuditAction(StrEnum):
    REGISTERED = "account.registered"
    LOGIN_SUCCEEDED = "login.succeeded"
    LOGIN_FAILED = "login.failed"
    SECOND_FACTOR_REQUIRED = "login.second_factor_required"
    REFRESH_TOKEN_REUSED = "refresh_token.reused"  # noqa: S105 (an event name)
    LOGGED_OUT = "session.logged_out"
    SESSION_REVOKED = "session.revoked"
    LOGGED_OUT_EVERYWHERE = "session.logged_out_everywhere"
    PASSWORD_CHANGED = "password.changed"  # noqa: S105 (an event name)
    ROLE_CHANGED = "account.role_changed"
    DEACTIVATED = "account.deactivated"
    REACTIVATED = "account.reactivated"
    PASSWORD_RESET_REQUESTED = "password.reset_requested"  # noqa: S105 (an event name)
    PASSWORD_RESET = "password.reset"  # noqa: S105 (an event name)
    EMAIL_VERIFIED = "account.email_verified"
    TWO_FACTOR_ENABLED = "two_factor.enabled"
    TWO_FACTOR_DISABLED = "two_factor.disabled"
    RECOVERY_CODES_REPLACED = "two_factor.recovery_codes_replaced"
    OIDC_LINKED = "oidc.linked"
    OIDC_UNLINKED = "oidc.unlinked"
    PASSKEY_REGISTERED = "passkey.registered"
    PASSKEY_REMOVED = "passkey.removed"
    TOKEN_CREATED = "token.created"  # noqa: S105 (an event name)
    TOKEN_REVOKED = "token.revoked"  # noqa: S105 (an event name)
    ARTICLE_DELETED_BY_MODERATOR = "article.deleted_by_moderator"
    COMMENT_DELETED_BY_MODERATOR = "comment.deleted_by_moderator"


async def record(
    session: AsyncSession,
    action: AuditAction,
    origin: RequestOrigin,
    *,
    actor: User | int | None,
    subject: User | int | None,
    **details: Any,
) -> None:
    """Add the event to the session's transaction (one INSERT, no ORM flush).

    `actor` did it (None: the command line, or someone not signed in); `subject` is the
    account it concerns. Users or their ids.
    """
    await session.execute(
        insert(AuditEvent).values(
            action=action.value,
            actor_id=actor.id if isinstance(actor, User) else actor,
            subject_id=subject.id if isinstance(subject, User) else subject,
            client_address=origin.client_address,
            request_id=origin.request_id,
            details=details,
        )
    )


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    action: str
    occurred_at: datetime
    actor: str | None  # usernames, None for the command line or an anonymous attempt
    subject: str | None
    client_address: str | None
    request_id: str | None
    details: dict[str, Any]


@dataclass(frozen=True, slots=True)
class AuditFilters:
    before: int | None = None  # events older than this id (the previous page's last)
    action: str | None = None
    username: str | None = None  # as actor or as subject


async def page(session: AsyncSession, filters: AuditFilters, limit: int) -> Sequence[AuditEntry]:
    """Events newest first, by id (keyset paging: stable while new events arrive)."""
    actor, subject = aliased(User), aliased(User)
    statement = (
        select(AuditEvent, actor.username, subject.username)
        .outerjoin(actor, AuditEvent.actor_id == actor.id)
        .outerjoin(subject, AuditEvent.subject_id == subject.id)
        .order_by(AuditEvent.id.desc())
        .limit(limit)
    )
    if filters.before is not None:
        statement = statement.where(AuditEvent.id < filters.before)
    if filters.action is not None:
        statement = statement.where(AuditEvent.action == filters.action)
    if filters.username is not None:
        named = select(User.id).where(has_username(filters.username)).scalar_subquery()
        statement = statement.where(
            or_(AuditEvent.actor_id == named, AuditEvent.subject_id == named)
        )
    return [
        AuditEntry(
            id=event.id,
            action=event.action,
            occurred_at=event.occurred_at,
            actor=actor_name,
            subject=subject_name,
            client_address=event.client_address,
            request_id=event.request_id,
            details=event.details,
        )
        for event, actor_name, subject_name in await session.execute(statement)
    ]
