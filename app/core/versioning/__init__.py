"""API versions side by side, and the retirement of an old one (RFC 9745, RFC 8594).

`Retirement(deprecated_at, sunset_at, successor)` adds the Deprecation, Sunset and
successor-version Link headers to a retired operation and documents them.
"""

from app.core.versioning._retirement import Retirement

__all__ = [
    "Retirement",
]
