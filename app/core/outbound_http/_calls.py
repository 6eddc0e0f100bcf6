"""One outgoing call: bounded in time, retried only when that is safe, errors as problems.

- Only idempotent methods (RFC 9110 §9.2.2: GET, HEAD, OPTIONS, PUT, DELETE) are retried,
  after a connection error, a timeout, or a 502/503/504, with exponential backoff
  (`HTTP_CLIENT_RETRY_BASE_SECONDS`, doubled each time, `HTTP_CLIENT_RETRIES` at most). A
  POST is sent once: a retry could act twice.
- Everything, retries and waits included, ends within `HTTP_CLIENT_DEADLINE_SECONDS`.
- A peer that cannot be reached or fails at the transport level is `UpstreamUnavailable`
  (a 502 problem); one that does not answer in time is `UpstreamTimeout` (504). Any status
  the peer answered is returned to the caller, which decides what it means.
"""

import asyncio
from http import HTTPStatus
from typing import Any

import httpx

from app.core.config import Settings
from app.core.errors import AppError

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRIED_STATUSES = frozenset({502, 503, 504})


class UpstreamUnavailable(AppError):
    status_code = HTTPStatus.BAD_GATEWAY


class UpstreamTimeout(AppError):
    status_code = HTTPStatus.GATEWAY_TIMEOUT


def _failure(error: Exception) -> AppError:
    if isinstance(error, httpx.TimeoutException | TimeoutError):
        return UpstreamTimeout(
            "The upstream service did not answer in time.", {"upstream": ["timed out"]}
        )
    return UpstreamUnavailable(
        "The upstream service could not be reached.", {"upstream": ["is unreachable"]}
    )


async def send(
    client: httpx.AsyncClient, method: str, url: str, *, settings: Settings, **options: Any
) -> httpx.Response:
    """`client.request(method, url, **options)` under the rules above."""
    method = method.upper()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + settings.http_client_deadline_seconds
    retries = settings.http_client_retries if method in IDEMPOTENT_METHODS else 0
    attempt = 0
    while True:
        outcome: httpx.Response | AppError
        try:
            async with asyncio.timeout_at(deadline):
                outcome = await client.request(method, url, **options)
        except (httpx.TransportError, TimeoutError) as error:
            outcome = _failure(error)
        retry = isinstance(outcome, AppError) or outcome.status_code in RETRIED_STATUSES
        wait = settings.http_client_retry_base_seconds * 2**attempt
        if not retry or attempt == retries or loop.time() + wait >= deadline:
            if isinstance(outcome, AppError):
                raise outcome
            return outcome  # (the body is read: nothing to close when retrying)
        await asyncio.sleep(wait)
        attempt += 1
