"""Route dependencies of the webhooks feature: the caller's own endpoint at `{webhook_id}`."""

from typing import Annotated

from fastapi import Depends, Path

from app.core.errors import NotFound
from app.deps import CurrentUser, SessionDep
from app.integrations.webhooks.models import WebhookEndpoint

WebhookId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The webhook's id.")]


async def get_own_webhook(
    user: CurrentUser, webhook_id: WebhookId, session: SessionDep
) -> WebhookEndpoint:
    endpoint = await session.get(WebhookEndpoint, webhook_id)
    if endpoint is None or endpoint.owner_id != user.id:
        raise NotFound("webhook")  # someone else's is not found either: ids reveal nothing
    return endpoint


OwnWebhook = Annotated[WebhookEndpoint, Depends(get_own_webhook)]
"""The webhook endpoint {webhook_id} of the current user (401, then 404)."""
