"""What admins do to accounts: change roles, deactivate and reactivate.

Called by the admin routes and by the command line (`make admin`, which has no acting
user: `actor` is None). Admins cannot change their own role or deactivate themselves,
so the last admin cannot lock everyone out by mistake; another admin can.

Each change locks the rows of the active admins first, so concurrent changes are decided
one after the other: two admins demoting each other at once cannot both succeed (the
second is no longer an admin when its turn comes), and no change leaves no active admin.
"""

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.auth import Role
from app.core.edge import RequestOrigin
from app.core.errors import Conflict, Forbidden
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


async def _decided_in_turn(
    session: AsyncSession, actor: User | None, target: User, *, ends_admin: bool
) -> None:
    """Lock the active admins' rows (in id order: no deadlock) until the transaction ends;
    then the actor must still be one, and `target` must not be the last if the change
    `ends_admin` (demotes or deactivates)."""
    admins = set(
        (
            await session.scalars(
                select(User.id)
                .where(User.role == Role.ADMIN.value, User.deactivated_at.is_(None))
                .order_by(User.id)
                .with_for_update()
            )
        ).all()
    )
    if actor is not None and actor.id not in admins:
        raise Forbidden("You are no longer an admin.", {"user": ["not an admin"]})
    if ends_admin and admins == {target.id}:
        raise Conflict(
            "This is the last active admin: make another admin first.",
            {"user": ["the last active admin"]},
        )


async def change_role(
    session: AsyncSession, actor: User | None, target: User, role: Role, origin: RequestOrigin
) -> User:
    _not_yourself(actor, target)
    await _decided_in_turn(session, actor, target, ends_admin=role is not Role.ADMIN)
    await session.refresh(target)  # as it is now that the change's turn has come
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
    await _decided_in_turn(session, actor, target, ends_admin=True)
    await session.refresh(target)
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
    await _decided_in_turn(session, actor, target, ends_admin=False)
    await session.refresh(target)
    if target.deactivated_at is not None:
        target.deactivated_at = None
        await session.flush()
        await audit.record(session, AuditAction.REACTIVATED, origin, actor=actor, subject=target)
    return target
