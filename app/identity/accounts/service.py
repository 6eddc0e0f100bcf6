"""What admins do to accounts: change roles, deactivate and reactivate.

Called by the admin routes and by the command line (`make admin`, which has no acting
user: `actor` is None). Admins cannot change their own role or deactivate themselves,
so the last admin cannot lock everyone out by mistake; another admin can.
"""

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.auth import Role
from app.core.edge import RequestOrigin
from app.core.errors import Forbidden
from app.identity.audit import service as audit
from app.identity.audit.service import AuditAction
from app.identity.sessions import service as user_sessions
from app.identity.users.models import User


def _not_yourself(actor: User | None, target: User) -> None:
    if actor is not None and actor.id == target.id:
        raise Forbidden(
            "Admins cannot change their own role or deactivate themselves; another admin can.",
            {"user": ["is yourself"]},
        )


async def change_role(
    session: AsyncSession, actor: User | None, target: User, role: Role, origin: RequestOrigin
) -> User:
    _not_yourself(actor, target)
    if target.role != role:
        previous, target.role = target.role, role.value
        await session.flush()
        await audit.record(
            session,
            AuditAction.ROLE_CHANGED,
            origin,
            actor=actor,
            subject=target,
            previous=previous,
            role=role.value,
        )
    return target


async def deactivate(
    session: AsyncSession, actor: User | None, target: User, origin: RequestOrigin
) -> User:
    """The account stops working at once: every session ends, sign-in is refused."""
    _not_yourself(actor, target)
    if target.deactivated_at is None:
        target.deactivated_at = datetime.now(UTC)
        await session.flush()
        ended = await user_sessions.revoke_all_sessions(session, target)
        await audit.record(
            session, AuditAction.DEACTIVATED, origin, actor=actor, subject=target, ended=ended
        )
    return target


async def reactivate(
    session: AsyncSession, actor: User | None, target: User, origin: RequestOrigin
) -> User:
    """The account may sign in again (its old sessions stay ended)."""
    _not_yourself(actor, target)
    if target.deactivated_at is not None:
        target.deactivated_at = None
        await session.flush()
        await audit.record(session, AuditAction.REACTIVATED, origin, actor=actor, subject=target)
    return target
