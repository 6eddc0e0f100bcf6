"""A limit and the RateLimit header fields that describe it.

The fields follow draft-ietf-httpapi-ratelimit-headers-09 (March 2025): Structured Fields
naming the policy, `RateLimit-Policy: "writes";q=120;w=60` (quota `q` per window of `w`
seconds) and `RateLimit: "writes";r=117;t=42` (`r` requests remaining, `t` seconds until
the window resets). Earlier drafts' `RateLimit-Limit`/`-Remaining`/`-Reset` are not sent.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class RateLimitPolicy:
    name: str
    limit: int
    window_seconds: int

    @property
    def policy_header(self) -> str:
        return f'"{self.name}";q={self.limit};w={self.window_seconds}'

    def headers(self, count: int, reset_seconds: int) -> dict[str, str]:
        remaining = max(0, self.limit - count)
        return {
            "RateLimit-Policy": self.policy_header,
            "RateLimit": f'"{self.name}";r={remaining};t={reset_seconds}',
        }
