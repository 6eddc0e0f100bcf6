"""Limits on how often one caller may act, counted in PostgreSQL and shared by every worker.

- request rate limits: `RateLimitPolicy` (limit, window, the IETF RateLimit headers),
  `enforce()` called by a route dependency with the caller's key (429 beyond), marked with
  `limits_rate` so `declare_rate_limits` documents the 429 on the operation; the counts are
  `RateLimitCounter` rows, one upsert per limited request; `REQUEST_COUNT` is that upsert
  as part of a select, for a statement the request sends anyway (`count_parameters`, on a
  `counting_session`, then `admit` with the count it returned).
- failure throttles: `LoginThrottle` counts failures (logins, mail requests) per key and
  client address in a window (`LoginFailures` rows) and refuses beyond the limit.
"""

from app.core.ratelimit._counter import REQUEST_COUNT, RateLimitCounter, RequestCount
from app.core.ratelimit._limiter import (
    admit,
    count_parameters,
    counting_session,
    enforce,
    limits_rate,
    sweep_now_and_then,
)
from app.core.ratelimit._login_failures import LoginFailures
from app.core.ratelimit._login_throttle import LoginThrottle, unlock_account
from app.core.ratelimit._openapi import declare_rate_limits
from app.core.ratelimit._policy import RateLimitPolicy

__all__ = [
    "REQUEST_COUNT",
    "LoginFailures",
    "LoginThrottle",
    "RateLimitCounter",
    "RateLimitPolicy",
    "RequestCount",
    "admit",
    "count_parameters",
    "counting_session",
    "declare_rate_limits",
    "enforce",
    "limits_rate",
    "sweep_now_and_then",
    "unlock_account",
]
