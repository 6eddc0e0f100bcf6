"""Webhook endpoints: registration, changes, removal, and their delivery logs.

A URL is checked as written when it is registered or changed (app/core/webhooks/
destinations.py); every delivery checks it again after resolving the name.
"""

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.errors import Conflict, InvalidInput
from app.core.webhooks import ForbiddenDestination, allowed_networks, new_secret, parse_destination
from app.identity.users.models import User
from app.integrations.webhooks.models import WebhookDelivery, WebhookEndpoint
from app.integrations.webhooks.schemas import NewWebhook, WebhookChanges

DELIVERY_LOG_PAGE = 100


def _checked_url(url: str, settings: Settings) -> str:
    try:
        parse_destination(url, allowed_networks(settings.webhook_allowed_networks))
    except ForbiddenDestination as error:
        raise InvalidInput("The webhook URL is not acceptable.", {"url": [str(error)]}) from error
    return url


async def _room_for_one_more(session: AsyncSession, owner: User, settings: Settings) -> None:
    """409 when the owner has `WEBHOOK_MAX_PER_ACCOUNT` endpoints. The owner's row is locked
    first, so concurrent registrations are counted one after the other."""
    await session.execute(select(User.id).where(User.id == owner.id).with_for_update())
    owned = await session.scalar(
        select(func.count())
        .select_from(WebhookEndpoint)
        .where(WebhookEndpoint.owner_id == owner.id)
    )
    if (owned or 0) >= settings.webhook_max_per_account:
        raise Conflict(
            f"An account may have {settings.webhook_max_per_account} webhook endpoints;"
            " delete one first.",
            {"webhook": ["too many endpoints"]},
        )


async def register(
    session: AsyncSession, owner: User, new: NewWebhook, settings: Settings
) -> WebhookEndpoint:
    url = _checked_url(new.url, settings)
    await _room_for_one_more(session, owner, settings)
    endpoint = WebhookEndpoint(
        owner_id=owner.id,
        url=url,
        events=sorted(set(new.events)),
        secret=new_secret(),
    )
    session.add(endpoint)
    await session.flush()
    return endpoint


async def owned_by(session: AsyncSession, owner: User) -> list[WebhookEndpoint]:
    rows = await session.scalars(
        select(WebhookEndpoint)
        .where(WebhookEndpoint.owner_id == owner.id)
        .order_by(WebhookEndpoint.id)
    )
    return list(rows)


async def change(
    session: AsyncSession, endpoint: WebhookEndpoint, changes: WebhookChanges, settings: Settings
) -> WebhookEndpoint:
    if changes.url is not None:
        endpoint.url = _checked_url(changes.url, settings)
    if changes.events is not None:
        endpoint.events = sorted(set(changes.events))
    if changes.enabled is not None:
        endpoint.enabled = changes.enabled
        if changes.enabled:  # a fresh budget, and the reason for the last stop cleared
            endpoint.disabled_reason = None
            endpoint.consecutive_failures = 0
    await session.flush()
    return endpoint


async def remove(session: AsyncSession, endpoint: WebhookEndpoint) -> None:
    await session.delete(endpoint)
    await session.flush()


async def deliveries(session: AsyncSession, endpoint: WebhookEndpoint) -> list[WebhookDelivery]:
    """The latest deliveries, newest first."""
    rows = await session.scalars(
        select(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint.id)
        .order_by(WebhookDelivery.id.desc())
        .limit(DELIVERY_LOG_PAGE)
    )
    return list(rows)
