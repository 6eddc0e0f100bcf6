"""Enforcing a policy for a caller's key: one statement, on its own autocommit session.

Or carried by a statement the request sends anyway (`count_parameters` for the statement
that selects from `REQUEST_COUNT`, sent on a `counting_session`, then `admit` with its
count).

The count is committed at once, on a session of its own (autocommit: no BEGIN/COMMIT), not
in the request's transaction: requests that fail later are counted too, and the counter's
row is not locked for the length of the request. Route dependencies call `enforce()`
with the key (`user:<id>`, `address:<ip>`); a dependency that does is registered with
`limits_rate` so the OpenAPI document declares its 429 (app/core/ratelimit/_openapi.py).
"""

import hashlib
import logging
import random
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from fastapi import Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.db import Sessions
from app.core.errors import TooManyRequests
from app.core.ratelimit._counter import SWEEP_ONE_IN, RequestCount, count_request, sweep
from app.core.ratelimit._policy import RateLimitPolicy

logger = logging.getLogger(__name__)
RATE_LIMITING_DEPENDENCIES: set[Callable[..., Any]] = set()
Dependency = TypeVar("Dependency", bound=Callable[..., Any])


def limits_rate(dependency: Dependency) -> Dependency:
    """Mark a route dependency as one that may answer 429 (for the OpenAPI document)."""
    RATE_LIMITING_DEPENDENCIES.add(dependency)
    return dependency


def _hashed(policy: RateLimitPolicy, key: str) -> str:
    return hashlib.sha256(f"{policy.name}\n{key}".encode()).hexdigest()


@asynccontextmanager
async def counting_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A session of its own for a count, autocommit: the count is committed as it runs, not
    with the request (requests that fail later are counted too, and the counter's row is
    not locked for the length of the request)."""
    sessions: Sessions = request.app.state.sessions
    session = sessions.autocommit()
    try:
        yield session
        # Autocommit: nothing to commit, unless the session joined an enclosing transaction
        # (the tests' savepoints).
        if session.in_transaction():
            await session.commit()
    finally:
        if session.in_transaction():
            await session.close()


async def enforce(request: Request, response: Response, policy: RateLimitPolicy, key: str) -> None:
    """Count this request against `policy` for `key`; 429 once the window's quota is spent."""
    async with counting_session(request) as session:
        count, reset = await count_request(session, _hashed(policy, key), policy.window_seconds)
    await sweep_now_and_then(request, policy)
    admit(response, policy, key, count, reset)


def count_parameters(policy: RateLimitPolicy, key: str) -> Mapping[str, Any]:
    """The parameters of `REQUEST_COUNT` counting a request for `key` under `policy`: for a
    statement that carries the count (one round trip for the count and a read)."""
    return RequestCount.parameters(_hashed(policy, key), policy.window_seconds)


async def sweep_now_and_then(request: Request, policy: RateLimitPolicy) -> None:
    """After a count: about once in `SWEEP_ONE_IN`, delete a batch of past windows' rows."""
    if random.randrange(SWEEP_ONE_IN) == 0:  # noqa: S311 (not security: amortising a sweep)
        async with counting_session(request) as session:
            await sweep(session, policy.window_seconds)


def admit(response: Response, policy: RateLimitPolicy, key: str, count: int, reset: int) -> None:
    """Given this request's `count` in a window that resets in `reset` seconds: 429 beyond
    the quota, else the RateLimit fields on `response`."""
    headers = policy.headers(count, reset)
    if count > policy.limit:
        if count == policy.limit + 1:
            logger.warning(
                "rate limit %r reached by key %s", policy.name, _hashed(policy, key)[:12]
            )
        error = TooManyRequests(
            f"Too many requests; try again in {reset} seconds.",
            {"request": [f"rate limit {policy.name!r} exceeded"]},
            retry_after_seconds=reset,
        )
        error.headers = (error.headers or {}) | headers
        raise error
    response.headers.update(headers)
