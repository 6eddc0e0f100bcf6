"""Enforcing a policy for a caller's key: one statement, on its own autocommit session.

The count is committed at once, on a session of its own (autocommit: no BEGIN/COMMIT), not
in the request's transaction: requests that fail later are counted too, and the counter's
row is not locked for the length of the request. Route dependencies call `enforce()`
with the key (`user:<id>`, `address:<ip>`); a dependency that does is registered with
`limits_rate` so the OpenAPI document declares its 429 (app/core/ratelimit/_openapi.py).
"""

import hashlib
import logging
import random
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import Request, Response

from app.core.db import Sessions
from app.core.errors import TooManyRequests
from app.core.ratelimit._counter import SWEEP_ONE_IN, count_request, sweep
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


async def enforce(request: Request, response: Response, policy: RateLimitPolicy, key: str) -> None:
    """Count this request against `policy` for `key`; 429 once the window's quota is spent."""
    sessions: Sessions = request.app.state.sessions
    session = sessions.autocommit()
    try:
        count, reset = await count_request(session, _hashed(policy, key), policy.window_seconds)
        if random.randrange(SWEEP_ONE_IN) == 0:  # noqa: S311 (not security: amortising a sweep)
            await sweep(session, policy.window_seconds)
        # Autocommit: already committed, this sends nothing. It matters where the session
        # joins an enclosing transaction (the tests' savepoints).
        await session.commit()
    finally:
        await session.close()
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
