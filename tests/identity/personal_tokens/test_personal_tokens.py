"""Personal access tokens: issued once, used in place of a session's token within their
scopes, refused outside them, revoked at once, and every operation accounted for."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.auth import TOKEN_SCOPES_KEY
from app.identity.personal_tokens.models import PersonalAccessToken
from app.identity.personal_tokens.service import MAX_TOKENS_PER_ACCOUNT
from app.identity.sessions.models import UserSession
from app.identity.users.models import User
from app.identity.users.service import REAUTHENTICATION_REQUIRED
from tests.support.audit import latest_audit_event
from tests.support.committed import committed_app
from tests.support.queries import recorded_statements
from tests.support.tokens import TOKENS, bearer, issued
from tests.support.users import as_role, register


async def test_a_token_is_shown_once_and_listed_by_its_prefix(
    client: AsyncClient, session: AsyncSession
) -> None:
    bob = await as_role(client, session, "admin")
    token = await issued(client, bob, "profile:read", "admin", days=7, name=" nightly ")

    secret = token["token"]
    assert secret.startswith("pat_")
    assert len(secret) > 40
    assert token["prefix"] == secret[:12]
    assert token["name"] == "nightly"
    assert token["scopes"] == ["admin", "profile:read"]
    assert token["lastUsedAt"] is None
    lifetime = datetime.fromisoformat(token["expiresAt"]) - datetime.now(UTC)
    assert timedelta(days=6, hours=23) < lifetime <= timedelta(days=7)

    listed = (await client.get(TOKENS, headers=bob.headers)).json()["tokens"]
    assert [t["id"] for t in listed] == [token["id"]]
    assert "token" not in listed[0]
    stored = await session.scalar(
        select(PersonalAccessToken.digest).where(PersonalAccessToken.id == token["id"])
    )
    assert stored is not None
    assert secret not in stored  # only its digest

    admin = await as_role(client, session, "admin")
    event = await latest_audit_event(client, admin, "token.created")
    assert event["subject"] == bob.username
    assert event["details"]["scopes"] == ["admin", "profile:read"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/user/tokens"),
        ("POST", "/api/user/tokens"),
        ("GET", "/api/user/sessions"),
        ("POST", "/api/users/logout"),
        ("GET", "/api/user/two-factor"),
        ("PUT", "/api/user"),
        ("POST", "/api/user/reauthenticate"),
    ],
)
async def test_session_operations_refuse_every_token(
    client: AsyncClient, method: str, path: str
) -> None:
    bob = await register(client)
    reader = await issued(client, bob, "profile:read")
    response = await client.request(method, path, headers=bearer(reader), json={})
    assert response.status_code == 403
    assert response.json()["errors"] == {"token": ["is a personal access token"]}


def _operations(app: FastAPI) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in app.openapi()["paths"].items()
        for method, operation in item.items()
        if operation.get("security")
    ]


async def test_every_authenticated_operation_refuses_a_token_without_its_scope(
    app: FastAPI, client: AsyncClient
) -> None:
    """Walks the whole API: a token with one scope reaches only the operations that list
    it; every other authenticated one answers 403 (and declares it)."""
    bob = await register(client)
    reader = await issued(client, bob, "profile:read")
    reached = []
    for method, path, operation in _operations(app):
        if not path.startswith("/api/"):
            continue  # the tests' own probe routes
        assert "403" in operation["responses"], f"{method} {path}"
        url = path.replace("{slug}", "no-such-slug").replace("{username}", "nobody")
        for name in ("comment_id", "session_id", "webhook_id", "token_id"):
            url = url.replace(f"{{{name}}}", "1")
        response = await client.request(method, url, headers=bearer(reader), json={})
        if "profile:read" in operation.get(TOKEN_SCOPES_KEY, []):
            reached.append((method, path))
            assert response.status_code != 403, f"{method} {path}"
        else:
            assert response.status_code == 403, f"{method} {path}: {response.text}"
    assert ("GET", "/api/user") in reached  # and the profiles, where the domain has them


async def test_the_admin_scope_is_for_admins_and_the_role_still_counts(
    client: AsyncClient, session: AsyncSession
) -> None:
    bob = await register(client)
    refused = await client.post(
        TOKENS,
        headers=bob.headers,
        json={"name": "x", "scopes": ["admin"], "expiresInDays": 1},
    )
    assert refused.status_code == 403
    assert refused.json()["errors"] == {"scopes": ["admin needs the admin role"]}

    admin = await as_role(client, session, "admin")
    token = await issued(client, admin, "admin")
    events = await client.get("/api/admin/audit-events", headers=bearer(token))
    assert events.status_code == 200
    plain = await issued(client, admin, "profile:read")
    assert (await client.get("/api/admin/audit-events", headers=bearer(plain))).status_code == 403

    # Demoted: the admin-scoped token stops reaching the admin API with the role.
    await session.execute(update(User).where(User.username == admin.username).values(role="user"))
    assert (await client.get("/api/admin/audit-events", headers=bearer(token))).status_code == 403


async def test_a_revoked_token_stops_at_once(client: AsyncClient, session: AsyncSession) -> None:
    bob = await register(client)
    token = await issued(client, bob, "profile:read")
    assert (await client.get("/api/user", headers=bearer(token))).status_code == 200

    revoked = await client.delete(f"{TOKENS}/{token['id']}", headers=bob.headers)
    assert revoked.status_code == 204
    after = await client.get("/api/user", headers=bearer(token))
    assert after.status_code == 401
    assert (await client.get(TOKENS, headers=bob.headers)).json()["tokens"] == []
    assert (await client.delete(f"{TOKENS}/{token['id']}", headers=bob.headers)).status_code == 404

    alice = await register(client)
    hers = await issued(client, alice, "profile:read")
    not_his = await client.delete(f"{TOKENS}/{hers['id']}", headers=bob.headers)
    assert not_his.status_code == 404
    assert (await client.get("/api/user", headers=bearer(hers))).status_code == 200
    admin = await as_role(client, session, "admin")
    assert (await latest_audit_event(client, admin, "token.revoked"))["subject"] == bob.username


async def test_an_expired_token_or_a_deactivated_account_is_refused(
    client: AsyncClient, session: AsyncSession
) -> None:
    bob = await register(client)
    token = await issued(client, bob, "profile:read")
    await session.execute(
        update(PersonalAccessToken)
        .where(PersonalAccessToken.id == token["id"])
        .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    )
    assert (await client.get("/api/user", headers=bearer(token))).status_code == 401

    alice = await register(client)
    hers = await issued(client, alice, "profile:read")
    await session.execute(
        update(User).where(User.username == alice.username).values(deactivated_at=datetime.now(UTC))
    )
    assert (await client.get("/api/user", headers=bearer(hers))).status_code == 401


@pytest.mark.parametrize("credential", ["pat_", "pat_unknown", "pat_" + "x" * 43])
async def test_an_unknown_token_is_a_401(client: AsyncClient, credential: str) -> None:
    response = await client.get("/api/user", headers={"Authorization": f"Bearer {credential}"})
    assert response.status_code == 401
    assert response.json()["errors"] == {"token": ["is invalid"]}


async def test_use_is_recorded_without_a_write_per_request() -> None:
    # Committed requests: a read-only request's statements commit as they run.
    async with committed_app() as committed:
        client = committed.client
        bob = await register(client, f"{committed.prefix}bob")
        token = await issued(client, bob, "profile:read")
        with recorded_statements(committed.app.state.engine) as first:
            assert (await client.get("/api/user", headers=bearer(token))).status_code == 200
        with recorded_statements(committed.app.state.engine) as second:
            assert (await client.get("/api/user", headers=bearer(token))).status_code == 200
        listed = (await client.get(TOKENS, headers=bob.headers)).json()["tokens"][0]

    assert [statement.split()[0] for statement in first] == ["SELECT", "UPDATE"]
    assert [statement.split()[0] for statement in second] == ["SELECT"]  # used just now
    assert listed["lastUsedAt"] is not None


async def test_creating_one_needs_a_recent_password(
    client: AsyncClient, session: AsyncSession
) -> None:
    bob = await register(client)
    await session.execute(
        update(UserSession)
        .where(UserSession.id == bob.session_id)
        .values(authenticated_at=UserSession.authenticated_at - timedelta(minutes=11))
    )
    response = await client.post(
        TOKENS,
        headers=bob.headers,
        json={"name": "x", "scopes": ["profile:read"], "expiresInDays": 1},
    )
    assert response.status_code == 403
    assert response.json()["type"] == REAUTHENTICATION_REQUIRED


async def test_an_account_holds_a_bounded_number_of_live_tokens(client: AsyncClient) -> None:
    bob = await register(client)
    first = await issued(client, bob, "profile:read")
    for _ in range(MAX_TOKENS_PER_ACCOUNT - 1):
        await issued(client, bob, "profile:read")
    body = {"name": "one more", "scopes": ["profile:read"], "expiresInDays": 1}
    over = await client.post(TOKENS, headers=bob.headers, json=body)
    assert over.status_code == 409

    await client.delete(f"{TOKENS}/{first['id']}", headers=bob.headers)
    assert (await client.post(TOKENS, headers=bob.headers, json=body)).status_code == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "a\x00b"}, "name"),
        ({"name": 5}, "name"),
        ({"scopes": []}, "scopes"),
        ({"scopes": ["everything"]}, "scopes"),
        ({"scopes": "profile:read"}, "scopes"),
        ({"scopes": ["profile:read"] * 6}, "scopes"),
        ({"expiresInDays": 0}, "expiresInDays"),
        ({"expiresInDays": 367}, "expiresInDays"),
        ({"expiresInDays": "soon"}, "expiresInDays"),
        ({"expiresInDays": None}, "expiresInDays"),
    ],
)
async def test_bad_input_is_a_422_naming_the_field(
    client: AsyncClient, body: dict[str, Any], field: str
) -> None:
    bob = await register(client)
    valid = {"name": "ci", "scopes": ["profile:read"], "expiresInDays": 30}
    response = await client.post(TOKENS, headers=bob.headers, json=valid | body)
    assert response.status_code == 422, response.text
    assert field in response.json()["errors"]
    assert (await client.get(TOKENS, headers=bob.headers)).json()["tokens"] == []
