"""Reading the audit log through the admin API, as an admin would."""

from typing import Any

from httpx import AsyncClient

from tests.support.users import RegisteredUser


async def audit_events(
    client: AsyncClient, admin: RegisteredUser, **params: Any
) -> list[dict[str, Any]]:
    response = await client.get("/api/admin/audit-events", headers=admin.headers, params=params)
    assert response.status_code == 200, response.text
    events: list[dict[str, Any]] = response.json()["events"]
    return events


async def latest_audit_event(
    client: AsyncClient, admin: RegisteredUser, action: str
) -> dict[str, Any]:
    return (await audit_events(client, admin, action=action, limit=1))[0]
