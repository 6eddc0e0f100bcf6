"""Every cell of the role x action matrix, and the rules around it."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from httpx import AsyncClient, Response
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.auth import ROLES as ROLE_LADDER
from app.deps import Moderator
from app.identity.users.models import User
from tests.support.users import RegisteredUser, as_role, promote, register, role_matrix_cells


@dataclass(frozen=True)
class World:
    target: RegisteredUser


Action = Callable[[AsyncClient, dict[str, str], World], Awaitable[Response]]


async def _view_account(client: AsyncClient, headers: dict[str, str], w: World) -> Response:
    return await client.get(f"/api/admin/users/{w.target.username}", headers=headers)


async def _change_role(client: AsyncClient, headers: dict[str, str], w: World) -> Response:
    url = f"/api/admin/users/{w.target.username}/role"
    return await client.put(url, headers=headers, json={"role": "moderator"})


async def _deactivate(client: AsyncClient, headers: dict[str, str], w: World) -> Response:
    return await client.post(f"/api/admin/users/{w.target.username}/deactivate", headers=headers)


async def _reactivate(client: AsyncClient, headers: dict[str, str], w: World) -> Response:
    return await client.post(f"/api/admin/users/{w.target.username}/reactivate", headers=headers)


async def _read_audit_log(client: AsyncClient, headers: dict[str, str], w: World) -> Response:
    return await client.get("/api/admin/audit-events", headers=headers)


# action: (how, status for anonymous, user, moderator, admin)
MATRIX: dict[str, tuple[Action, tuple[int, int, int, int]]] = {
    "view an account": (_view_account, (401, 403, 403, 200)),
    "change a role": (_change_role, (401, 403, 403, 200)),
    "deactivate an account": (_deactivate, (401, 403, 403, 200)),
    "reactivate an account": (_reactivate, (401, 403, 403, 200)),
    "read the audit log": (_read_audit_log, (401, 403, 403, 200)),
}
CELLS = role_matrix_cells(MATRIX)


@pytest.fixture
async def world(client: AsyncClient) -> World:
    return World(await register(client))


@pytest.mark.parametrize(("action", "role", "expected"), CELLS)
async def test_role_action_matrix(  # noqa: PLR0917 (fixtures and the cell)
    client: AsyncClient,
    session: AsyncSession,
    world: World,
    action: str,
    role: str,
    expected: int,
) -> None:
    headers = {} if role == "anonymous" else (await as_role(client, session, role)).headers
    if action == "reactivate an account":
        await session.execute(
            update(User)
            .where(User.username == world.target.username)
            .values(deactivated_at=func.now())
        )
    how, _ = MATRIX[action]

    response = await how(client, headers, world)

    assert response.status_code == expected, response.text
    if expected == 403:
        assert response.headers["content-type"] == "application/problem+json"
    await _check_effect(client, session, world, action, allowed=expected < 300)


async def _check_effect(
    client: AsyncClient, session: AsyncSession, w: World, action: str, *, allowed: bool
) -> None:
    """An allowed action did what it says; a refused one changed nothing."""
    reload = select(User).where(User.username == w.target.username)
    target = await session.scalar(reload.execution_options(populate_existing=True))
    assert target is not None
    if action == "change a role":
        assert target.role == ("moderator" if allowed else "user")
    elif action == "deactivate an account":
        assert (target.deactivated_at is not None) == allowed
        status = (await client.get("/api/user", headers=w.target.headers)).status_code
        assert status == (401 if allowed else 200)
    else:
        assert action in {"reactivate an account", "view an account", "read the audit log"}
        assert (target.deactivated_at is None) == (allowed or action != "reactivate an account")


async def test_a_new_role_applies_to_the_very_next_request(
    client: AsyncClient, session: AsyncSession, world: World
) -> None:
    admin = await as_role(client, session, "admin")
    helper = await register(client)
    assert (await _view_account(client, helper.headers, world)).status_code == 403

    await promote(client, admin, helper, "admin")

    assert (await _view_account(client, helper.headers, world)).status_code == 200


@pytest.mark.parametrize(
    ("role", "expected"), [("anonymous", 401), ("user", 403), ("moderator", 200), ("admin", 200)]
)
async def test_the_moderator_dependency_admits_moderators_and_admins(
    app: FastAPI, client: AsyncClient, session: AsyncSession, role: str, expected: int
) -> None:
    app.openapi()  # the published document, before this test's own route is added

    @app.get("/moderators-only")
    async def moderators_only(moderator: Moderator) -> dict[str, str]:
        return {"role": moderator.role}

    headers = {} if role == "anonymous" else (await as_role(client, session, role)).headers

    response = await client.get("/moderators-only", headers=headers)

    assert response.status_code == expected
    if expected == 200:
        assert response.json() == {"role": role}
    if expected == 403:
        assert response.json()["errors"] == {"role": ["must be moderator or above"]}


async def test_giving_the_role_an_account_has_changes_nothing(
    client: AsyncClient, session: AsyncSession
) -> None:
    admin = await as_role(client, session, "admin")
    bob = await register(client)

    response = await client.put(
        f"/api/admin/users/{bob.username}/role", headers=admin.headers, json={"role": "user"}
    )

    assert response.status_code == 200
    events = await client.get(
        "/api/admin/audit-events", headers=admin.headers, params={"action": "account.role_changed"}
    )
    # Other tests' committed changes may be in the log: only Bob's count here.
    assert [e for e in events.json()["events"] if e["subject"] == bob.username] == []


async def test_admins_cannot_demote_or_deactivate_themselves(
    client: AsyncClient, session: AsyncSession
) -> None:
    admin = await as_role(client, session, "admin")
    base = f"/api/admin/users/{admin.username}"

    demote = await client.put(f"{base}/role", headers=admin.headers, json={"role": "user"})
    deactivate = await client.post(f"{base}/deactivate", headers=admin.headers)

    for response in (demote, deactivate):
        assert response.status_code == 403
        assert response.json()["errors"] == {"user": ["is yourself"]}
    assert (await client.get(base, headers=admin.headers)).json()["user"]["role"] == "admin"


async def test_unknown_accounts_are_404_for_admins_and_403_for_others(
    client: AsyncClient, session: AsyncSession
) -> None:
    admin = await as_role(client, session, "admin")
    moderator = await as_role(client, session, "moderator")

    as_admin = await client.get("/api/admin/users/nobody-here", headers=admin.headers)
    as_moderator = await client.get("/api/admin/users/nobody-here", headers=moderator.headers)

    assert as_admin.status_code == 404
    assert as_admin.json()["errors"] == {"user": ["not found"]}
    assert as_moderator.status_code == 403
    assert as_moderator.json()["errors"] == {"role": ["must be admin or above"]}


@pytest.mark.parametrize("role", ["superuser", "", None, "ADMIN"])
async def test_only_known_roles_can_be_given(
    client: AsyncClient, session: AsyncSession, role: str | None
) -> None:
    admin = await as_role(client, session, "admin")
    bob = await register(client)

    response = await client.put(
        f"/api/admin/users/{bob.username}/role", headers=admin.headers, json={"role": role}
    )

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["role"]


async def test_deactivation_and_reactivation(client: AsyncClient, session: AsyncSession) -> None:
    admin = await as_role(client, session, "admin")
    bob = await register(client)
    base = f"/api/admin/users/{bob.username}"

    first = await client.post(f"{base}/deactivate", headers=admin.headers)
    again = await client.post(f"{base}/deactivate", headers=admin.headers)
    back = await client.post(f"{base}/reactivate", headers=admin.headers)

    assert first.json()["user"]["active"] is False
    assert first.json()["user"]["deactivatedAt"] == again.json()["user"]["deactivatedAt"]
    assert back.json()["user"] | {"createdAt": None} == {
        "username": bob.username,
        "email": bob.email,
        "role": "user",
        "active": True,
        "emailVerified": False,
        "deactivatedAt": None,
        "createdAt": None,
    }
    # The sessions ended by the deactivation stay ended; a new sign-in works.
    assert (await client.get("/api/user", headers=bob.headers)).status_code == 401
    login = {"user": {"email": bob.email, "password": "correct horse battery"}}
    assert (await client.post("/api/users/login", json=login)).status_code == 200


async def test_the_database_accepts_exactly_the_roles_of_the_ladder(
    client: AsyncClient, session: AsyncSession
) -> None:
    # Adding a role to app/core/auth/_roles.py needs a migration of the CHECK constraint too.
    bob = await register(client)
    bob_row = update(User).where(User.username == bob.username)
    for role in ROLE_LADDER:
        async with session.begin_nested():
            await session.execute(bob_row.values(role=role.value))
    with pytest.raises(IntegrityError, match="ck_users_role"):
        async with session.begin_nested():
            await session.execute(bob_row.values(role="superuser"))
