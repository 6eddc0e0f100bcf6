"""Limits on how often one caller may act, counted in PostgreSQL and shared by every worker.

- request rate limits: `RateLimitPolicy` (limit, window, the IETF RateLimit headers),
  `enforce()` called by a route dependency with the caller's key (429 beyond), marked with
  `limits_rate` so `declare_rate_limits` documents the 429 on the operation; the counts are
  `RateLimitCounter` rows, one upsert per limited request.
- failure throttles: `LoginThrottle` counts failures (logins, mail requests) per key and
  client address in a window (`LoginFailures` rows) and refuses beyond the limit.
"""

from app.core.ratelimit._counter import RateLimitCounter
from app.core.ratelimit._limiter import enforce, limits_rate
from app.core.ratelimit._login_failures import LoginFailures
from app.core.ratelimit._login_throttle import LoginThrottle, unlock_account
from app.core.ratelimit._openapi import declare_rate_limits
from app.core.ratelimit._policy import RateLimitPolicy

__all__ = [
    "LoginFailures",
    "LoginThrottle",
    "RateLimitCounter",
    "RateLimitPolicy",
    "declare_rate_limits",
    "enforce",
    "limits_rate",
    "unlock_account",
]
