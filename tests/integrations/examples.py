"""Valid requests of the integrations' operations (tests/support/examples.py)."""

from typing import Any

from httpx import AsyncClient

from app.integrations.webhooks.schemas import WebhookEvent
from tests.support.users import RegisteredUser

_HOOK = {"webhook": {"url": "https://example.com/hook", "events": [next(iter(WebhookEvent)).value]}}
VALID_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/api/webhooks"): _HOOK,
    ("PUT", "/api/webhooks/{webhook_id}"): {"webhook": {"url": "https://example.com/hook"}},
}


async def path_values(client: AsyncClient, user: RegisteredUser) -> dict[str, str]:
    """A webhook of `user`'s (its id is unknown before creation)."""
    created = await client.post("/api/webhooks", headers=user.headers, json=_HOOK)
    assert created.status_code == 201, created.text
    return {"webhook_id": str(created.json()["webhook"]["id"])}
