"""Sending one signed event to an endpoint, and what a result does to the endpoint.

Used by the delivery job (app/integrations/webhooks/jobs.py) and by `POST .../ping`.
"""

import json
import time
from dataclasses import dataclass
from typing import Any

import httpx

from app.core.config import Settings
from app.core.outbound_http import UpstreamTimeout, UpstreamUnavailable
from app.core.webhooks import SIGNATURE_HEADER, ForbiddenDestination, post_pinned, signature
from app.integrations.webhooks.models import WebhookEndpoint

MAX_ERROR_LENGTH = 500


@dataclass(frozen=True)
class Outcome:
    response_status: int | None
    error: str | None

    @property
    def succeeded(self) -> bool:
        return self.error is None


def body_of(delivery_id: int, event: str, payload: dict[str, Any]) -> bytes:
    return json.dumps(
        {"id": delivery_id, "event": event, **payload}, separators=(",", ":")
    ).encode()


async def send_signed(
    client: httpx.AsyncClient, endpoint: WebhookEndpoint, body: bytes, settings: Settings
) -> Outcome:
    """POST `body` signed with the endpoint's secret; any 2xx is a success.

    Raises UpstreamUnavailable / UpstreamTimeout when the peer cannot be reached in time,
    and ForbiddenDestination when the URL resolves where webhooks may not go.
    """
    headers = {SIGNATURE_HEADER: signature(endpoint.secret, int(time.time()), body)}
    response = await post_pinned(client, endpoint.url, body, headers, settings)
    if response.is_success:
        return Outcome(response.status_code, None)
    return Outcome(response.status_code, f"answered {response.status_code}")


async def attempt(
    client: httpx.AsyncClient, endpoint: WebhookEndpoint, body: bytes, settings: Settings
) -> Outcome:
    """`send_signed`, with every failure as an Outcome (for the delivery log)."""
    try:
        return await send_signed(client, endpoint, body, settings)
    except (UpstreamUnavailable, UpstreamTimeout) as error:
        return Outcome(None, error.detail)
    except ForbiddenDestination as error:
        return Outcome(None, f"the URL {error}"[:MAX_ERROR_LENGTH])


def count_outcome(endpoint: WebhookEndpoint, outcome: Outcome, budget: int) -> None:
    """The failure budget: `budget` failed attempts in a row disable the endpoint."""
    if outcome.succeeded:
        endpoint.consecutive_failures = 0
        return
    endpoint.consecutive_failures += 1
    if endpoint.enabled and endpoint.consecutive_failures >= budget:
        endpoint.enabled = False
        endpoint.disabled_reason = (
            f"disabled after {endpoint.consecutive_failures} failed deliveries in a row; "
            f"last: {outcome.error}"
        )[:MAX_ERROR_LENGTH]
