"""Concurrent role changes are decided one after the other: at least one active admin stays.

Real transactions (tests/support/committed.py): two admins demote each other at the same
moment; before the active admins' rows were locked, both changes could pass their checks
and commit, and the service was left with no admin.
"""

import asyncio

import pytest
from sqlalchemy import select, update

from app.core.auth import Role
from app.core.edge import RequestOrigin
from app.core.errors import Conflict
from app.identity.accounts import service as accounts
from app.identity.users.models import User
from tests.support.committed import CommittedApp, committed_app
from tests.support.users import RegisteredUser, register

ROUNDS = 5


async def _make_admins(service: CommittedApp, *users: RegisteredUser) -> None:
    async with service.app.state.sessions.transactional.begin() as session:
        names = [user.username for user in users]
        await session.execute(update(User).where(User.username.in_(names)).values(role="admin"))


async def _roles(service: CommittedApp, *users: RegisteredUser) -> list[str]:
    async with service.app.state.sessions.transactional() as session:
        roles = await session.scalars(
            select(User.role).where(User.username.in_([u.username for u in users]))
        )
        return sorted(roles)


async def _demote(service: CommittedApp, by: RegisteredUser, whom: RegisteredUser) -> int:
    response = await service.client.put(
        f"/api/admin/users/{whom.username}/role", headers=by.headers, json={"role": "user"}
    )
    return response.status_code


async def test_two_admins_demoting_each_other_at_once_leave_one_admin() -> None:
    async with committed_app(db_pool_size=4) as service:
        for round_ in range(ROUNDS):
            first = await register(service.client, f"{service.prefix}a{round_}")
            second = await register(service.client, f"{service.prefix}b{round_}")
            await _make_admins(service, first, second)

            statuses = await asyncio.gather(
                _demote(service, first, second), _demote(service, second, first)
            )

            assert sorted(statuses) == [200, 403]  # the second to go is no longer an admin
            assert await _roles(service, first, second) == ["admin", "user"]


async def test_the_last_active_admin_cannot_be_demoted_or_deactivated() -> None:
    """`make admin` acts with no admin behind it: it must not remove the last one either."""
    async with committed_app() as service:
        only = await register(service.client, f"{service.prefix}only")
        async with service.app.state.sessions.transactional.begin() as session:
            # Every other active admin (left by other tests) steps aside in this transaction.
            others = (
                update(User)
                .where(User.role == "admin", User.username != only.username)
                .values(role="user")
            )
            await session.execute(others)
            await session.execute(
                update(User).where(User.username == only.username).values(role="admin")
            )
            target = (
                await session.scalars(select(User).where(User.username == only.username))
            ).one()
            origin = RequestOrigin()
            with pytest.raises(Conflict) as demoted:
                await accounts.change_role(session, None, target, Role.USER, origin)
            with pytest.raises(Conflict) as deactivated:
                await accounts.deactivate(session, None, target, origin)
            assert demoted.value.errors == {"user": ["the last active admin"]}
            assert deactivated.value.errors == demoted.value.errors
            await session.rollback()  # the other admins stay as they were
