"""Events that webhooks announce: each one enqueues a delivery per subscribed endpoint.

Called by the services that cause them, with their session: the delivery rows and their
jobs are written in the same transaction as the change, so a rolled-back change announces
nothing and a committed one is never lost. With no endpoint subscribed the cost is one
indexed SELECT on the write.
"""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import String, any_, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.db import table_of
from app.core.jobs import JobKind, enqueue
from app.integrations.webhooks.models import WebhookDelivery, WebhookEndpoint
from app.integrations.webhooks.schemas import WebhookEvent

# One delivery of one event to one endpoint; the task is app/integrations/webhooks/jobs.py's
# `deliver_webhook`, run by the worker. Named here so the API needs nothing of the worker.
DELIVERY_JOB = JobKind(name="deliver_webhook", queue="webhooks")

_ENDPOINTS = table_of(WebhookEndpoint)
_SUBSCRIBED = select(_ENDPOINTS.c.id).where(
    _ENDPOINTS.c.owner_id == bindparam("owner_id"),
    _ENDPOINTS.c.enabled,
    bindparam("event", type_=String) == any_(_ENDPOINTS.c.events),
)


async def emit(
    session: AsyncSession, recipient_id: int, event: WebhookEvent, data: dict[str, Any]
) -> int:
    """Announce `event` to `recipient_id`'s endpoints; returns how many deliveries."""
    found = await session.execute(_SUBSCRIBED, {"owner_id": recipient_id, "event": event.value})
    endpoint_ids = found.scalars().all()
    for endpoint_id in endpoint_ids:
        delivery = WebhookDelivery(
            endpoint_id=endpoint_id,
            event=event.value,
            payload={"createdAt": _now_iso(), "data": data},
        )
        session.add(delivery)
        await session.flush()
        await enqueue(session, DELIVERY_JOB, delivery_id=delivery.id)
    return len(endpoint_ids)


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
