"""Webhooks (`/webhooks`): a user's endpoints for their events, and the delivery log."""

from http import HTTPStatus

from fastapi import APIRouter, Request, Response

from app.core.db import release_connection
from app.core.errors import InvalidInput, problem_responses
from app.core.outbound_http import HttpClientDep
from app.core.ratelimit import RateLimitPolicy, enforce
from app.core.webhooks import ForbiddenDestination
from app.deps import WRITE_LIMITED, CurrentUser, SessionDep, SettingsDep
from app.integrations.webhooks import service as webhooks
from app.integrations.webhooks.delivery import body_of, send_signed
from app.integrations.webhooks.dependencies import OwnWebhook
from app.integrations.webhooks.models import WebhookEndpoint
from app.integrations.webhooks.schemas import (
    CreatedWebhook,
    CreatedWebhookResponse,
    CreateWebhookRequest,
    Delivery,
    DeliveryListResponse,
    PingResult,
    UpdateWebhookRequest,
    Webhook,
    WebhookListResponse,
    WebhookResponse,
)

router = APIRouter(prefix="/webhooks", tags=["webhooks"])

_OWN = problem_responses(
    HTTPStatus.UNAUTHORIZED, HTTPStatus.NOT_FOUND, HTTPStatus.UNPROCESSABLE_ENTITY
)


def _present(endpoint: WebhookEndpoint) -> Webhook:
    return Webhook.model_validate(endpoint, from_attributes=True)


@router.post(
    "",
    status_code=HTTPStatus.CREATED,
    summary="Register a webhook endpoint (the response shows its secret, once)",
    dependencies=WRITE_LIMITED,
    description="An account has at most `WEBHOOK_MAX_PER_ACCOUNT` endpoints (10): then 409.",
    responses=problem_responses(
        HTTPStatus.UNAUTHORIZED, HTTPStatus.CONFLICT, HTTPStatus.UNPROCESSABLE_ENTITY
    ),
)
async def register_webhook(
    user: CurrentUser, body: CreateWebhookRequest, session: SessionDep, settings: SettingsDep
) -> CreatedWebhookResponse:
    endpoint = await webhooks.register(session, user, body.webhook, settings)
    return CreatedWebhookResponse(
        webhook=CreatedWebhook.model_validate(endpoint, from_attributes=True)
    )


@router.get(
    "", summary="Your webhook endpoints", responses=problem_responses(HTTPStatus.UNAUTHORIZED)
)
async def list_webhooks(user: CurrentUser, session: SessionDep) -> WebhookListResponse:
    return WebhookListResponse(
        webhooks=[_present(endpoint) for endpoint in await webhooks.owned_by(session, user)]
    )


@router.get("/{webhook_id}", summary="One of your webhook endpoints", responses=_OWN)
async def get_webhook(endpoint: OwnWebhook) -> WebhookResponse:
    return WebhookResponse(webhook=_present(endpoint))


@router.put(
    "/{webhook_id}",
    summary="Change or re-enable a webhook endpoint",
    dependencies=WRITE_LIMITED,
    responses=_OWN,
)
async def update_webhook(
    endpoint: OwnWebhook, body: UpdateWebhookRequest, session: SessionDep, settings: SettingsDep
) -> WebhookResponse:
    endpoint = await webhooks.change(session, endpoint, body.webhook, settings)
    return WebhookResponse(webhook=_present(endpoint))


@router.delete(
    "/{webhook_id}",
    status_code=HTTPStatus.NO_CONTENT,
    summary="Delete a webhook endpoint and its delivery log",
    dependencies=WRITE_LIMITED,
    responses=_OWN,
)
async def delete_webhook(endpoint: OwnWebhook, session: SessionDep) -> Response:
    await webhooks.remove(session, endpoint)
    return Response(status_code=HTTPStatus.NO_CONTENT)


@router.get(
    "/{webhook_id}/deliveries", summary="The latest deliveries, newest first", responses=_OWN
)
async def list_deliveries(endpoint: OwnWebhook, session: SessionDep) -> DeliveryListResponse:
    rows = await webhooks.deliveries(session, endpoint)
    return DeliveryListResponse(
        deliveries=[Delivery.model_validate(row, from_attributes=True) for row in rows]
    )


@router.post(
    "/{webhook_id}/ping",
    summary="Send a signed `ping` event now and report the endpoint's answer",
    dependencies=WRITE_LIMITED,
    description="At most `WEBHOOK_PINGS_PER_MINUTE` (6) per endpoint: then 429.",
    responses=problem_responses(
        HTTPStatus.UNAUTHORIZED,
        HTTPStatus.NOT_FOUND,
        HTTPStatus.UNPROCESSABLE_ENTITY,
        HTTPStatus.TOO_MANY_REQUESTS,
        HTTPStatus.BAD_GATEWAY,
        HTTPStatus.GATEWAY_TIMEOUT,
    ),
)
async def ping_webhook(
    *,
    request: Request,
    response: Response,
    endpoint: OwnWebhook,
    http: HttpClientDep,
    settings: SettingsDep,
    session: SessionDep,
) -> PingResult:
    """Not logged as a delivery and not counted against the failure budget: a check."""
    await release_connection(session)  # the peer may take its time: not on a pooled connection
    pings = RateLimitPolicy("webhook-pings", settings.webhook_pings_per_minute, 60)
    await enforce(request, response, pings, f"webhook:{endpoint.id}")
    body = body_of(0, "ping", {"data": {}})
    try:
        outcome = await send_signed(http, endpoint, body, settings)
    except ForbiddenDestination as error:
        raise InvalidInput("The webhook URL is not acceptable.", {"url": [str(error)]}) from error
    return PingResult(response_status=outcome.response_status or 0)
