"""Security events are recorded with actor, subject, time, client, request id; admins page them."""

import pytest
from httpx import AsyncClient
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from app.identity.users.models import User
from tests.support.audit import audit_events, latest_audit_event
from tests.support.users import PASSWORD, as_role, log_in, register


async def test_a_login_is_recorded_with_client_and_request_id(
    client: AsyncClient, session: AsyncSession
) -> None:
    admin = await as_role(client, session, "admin")
    bob = await register(client)

    await client.post(
        "/api/users/login",
        json={"user": {"email": bob.email, "password": PASSWORD}},
        headers={"X-Request-ID": "login-request-1"},
    )

    event = await latest_audit_event(client, admin, "login.succeeded")
    assert event["actor"] == event["subject"] == bob.username
    assert event["clientAddress"] == "127.0.0.1"
    assert event["requestId"] == "login-request-1"
    assert event["occurredAt"].endswith("Z")


@pytest.mark.parametrize(
    ("email", "reason"), [("known", "wrong password"), ("nobody@example.com", "unknown email")]
)
async def test_failed_logins_are_recorded_though_the_request_fails(
    client: AsyncClient, session: AsyncSession, email: str, reason: str
) -> None:
    admin = await as_role(client, session, "admin")
    bob = await register(client)
    email = bob.email if email == "known" else email

    response = await client.post(
        "/api/users/login", json={"user": {"email": email, "password": "not it at all"}}
    )

    assert response.status_code == 401
    event = await latest_audit_event(client, admin, "login.failed")
    assert event["actor"] is None
    assert event["subject"] == (bob.username if reason == "wrong password" else None)
    assert event["details"] == {"reason": reason}


async def test_a_deactivated_account_signing_in_is_recorded(
    client: AsyncClient, session: AsyncSession
) -> None:
    admin = await as_role(client, session, "admin")
    bob = await register(client)
    await client.post(f"/api/admin/users/{bob.username}/deactivate", headers=admin.headers)

    login = {"user": {"email": bob.email, "password": PASSWORD}}
    assert (await client.post("/api/users/login", json=login)).status_code == 403

    event = await latest_audit_event(client, admin, "login.failed")
    assert (event["subject"], event["details"]) == (bob.username, {"reason": "deactivated"})
    deactivation = await latest_audit_event(client, admin, "account.deactivated")
    assert (deactivation["actor"], deactivation["subject"]) == (admin.username, bob.username)
    assert deactivation["details"] == {"ended": 1}


async def test_a_reused_refresh_token_is_recorded(
    client: AsyncClient, session: AsyncSession
) -> None:
    admin = await as_role(client, session, "admin")
    bob = await register(client)
    body = {"refreshToken": bob.refresh_token}
    await client.post("/api/users/refresh", json=body)

    assert (await client.post("/api/users/refresh", json=body)).status_code == 401

    event = await latest_audit_event(client, admin, "refresh_token.reused")
    assert event["subject"] == bob.username
    assert event["details"] == {"session_id": bob.session_id, "session_revoked": True}


async def test_session_endings_and_password_changes_are_recorded(
    client: AsyncClient, session: AsyncSession
) -> None:
    admin = await as_role(client, session, "admin")
    bob = await register(client)
    phone = await log_in(client, bob)
    tablet = await log_in(client, bob)

    await client.delete(f"/api/user/sessions/{phone.session_id}", headers=bob.headers)
    await client.put("/api/user", headers=bob.headers, json={"user": {"password": "new phrase!"}})
    await client.post("/api/users/logout", headers=bob.headers)
    again = await log_in(client, bob, password="new phrase!")
    await client.delete("/api/user/sessions", headers=again.headers)

    mine = await audit_events(client, admin, user=bob.username)
    actions = [event["action"] for event in mine]
    assert actions[:5] == [
        "session.logged_out_everywhere",
        "login.succeeded",
        "session.logged_out",
        "password.changed",
        "session.revoked",
    ]
    details = [event["details"] for event in mine[:5]]
    assert details[0] == {"ended": 1}
    assert details[2] == {"session_id": bob.session_id}
    assert details[3] == {"other_sessions_ended": 1}  # the tablet
    assert details[4] == {"session_id": phone.session_id}
    assert tablet.session_id not in (d.get("session_id") for d in details)


async def test_role_changes_are_recorded(client: AsyncClient, session: AsyncSession) -> None:
    admin = await as_role(client, session, "admin")
    bob = await register(client)

    await client.put(
        f"/api/admin/users/{bob.username}/role", headers=admin.headers, json={"role": "moderator"}
    )
    await client.post(f"/api/admin/users/{bob.username}/reactivate", headers=admin.headers)

    event = await latest_audit_event(client, admin, "account.role_changed")
    assert (event["actor"], event["subject"]) == (admin.username, bob.username)
    assert event["details"] == {"previous": "user", "role": "moderator"}
    # Reactivating an active account changes nothing, so records nothing.
    assert await audit_events(client, admin, action="account.reactivated") == []


async def test_pages_go_back_in_time_without_overlap(
    client: AsyncClient, session: AsyncSession
) -> None:
    admin = await as_role(client, session, "admin")
    bob = await register(client)
    for _ in range(5):
        await client.post(
            "/api/users/login", json={"user": {"email": bob.email, "password": "wrong one!"}}
        )

    first = await client.get(
        "/api/admin/audit-events",
        headers=admin.headers,
        params={"limit": 2, "action": "login.failed"},
    )
    body = first.json()
    second = await audit_events(
        client, admin, limit=2, action="login.failed", before=body["nextBefore"]
    )
    rest = await audit_events(
        client, admin, limit=50, action="login.failed", before=second[-1]["id"]
    )

    ids = [event["id"] for event in body["events"] + second + rest]
    assert len(ids) == len(set(ids)) >= 5
    assert ids == sorted(ids, reverse=True)
    last_page = await client.get(
        "/api/admin/audit-events",
        headers=admin.headers,
        params={"limit": 50, "action": "login.failed", "before": second[-1]["id"]},
    )
    assert last_page.json()["nextBefore"] is None


async def test_unknown_filters_match_nothing(client: AsyncClient, session: AsyncSession) -> None:
    admin = await as_role(client, session, "admin")

    assert await audit_events(client, admin, action="no.such.action") == []
    assert await audit_events(client, admin, user="nobody-at-all") == []


@pytest.mark.parametrize(
    ("params", "field"),
    [({"limit": 0}, "limit"), ({"limit": 101}, "limit"), ({"before": 0}, "before")],
)
async def test_bad_paging_is_422(
    client: AsyncClient, session: AsyncSession, params: dict[str, int], field: str
) -> None:
    admin = await as_role(client, session, "admin")

    response = await client.get("/api/admin/audit-events", headers=admin.headers, params=params)

    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]


async def test_the_log_keeps_the_event_of_a_deleted_user(
    client: AsyncClient, session: AsyncSession
) -> None:
    admin = await as_role(client, session, "admin")
    bob = await register(client)
    await client.post("/api/users/logout", headers=bob.headers)
    await session.execute(delete(User).where(User.username == bob.username))

    event = await latest_audit_event(client, admin, "session.logged_out")

    assert event["details"] == {"session_id": bob.session_id}
    assert event["actor"] is event["subject"] is None
