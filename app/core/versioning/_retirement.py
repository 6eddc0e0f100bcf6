"""Announcing that an operation is retired: `Deprecation`, `Sunset` and a successor link.

- `Deprecation` (RFC 9745): a Structured Field Date, `@<unix seconds>`, the moment the
  operation was (or will be) deprecated.
- `Sunset` (RFC 8594): an HTTP-date after which the operation may stop answering.
- `Link: <successor>; rel="successor-version"` (RFC 5829) names what replaces it.

`Retirement.dependency()` sets the three headers on the operation's responses;
`Retirement.openapi()` gives the decorator arguments that declare them in the OpenAPI
document (`deprecated: true` and the headers on the success response). Errors raised
before the endpoint returns are problem documents without these headers.
"""

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import quote

from fastapi import Request, Response

_HEADER_DOCS = {
    "Deprecation": "RFC 9745: when this operation was deprecated, as `@<unix seconds>`.",
    "Sunset": "RFC 8594: the HTTP-date after which this operation may stop answering.",
    "Link": 'The successor operation, `<…>; rel="successor-version"`.',
}


@dataclass(frozen=True)
class Retirement:
    deprecated_at: datetime
    sunset_at: datetime
    successor: str  # a path template (`/api/v2/profiles/{username}`) or an absolute URL

    def __post_init__(self) -> None:
        if self.deprecated_at.tzinfo is None or self.sunset_at.tzinfo is None:
            raise ValueError("retirement dates must be timezone-aware")
        if self.sunset_at < self.deprecated_at:
            raise ValueError("the sunset cannot come before the deprecation")

    def headers(self, successor: str | None = None) -> dict[str, str]:
        return {
            "Deprecation": f"@{int(self.deprecated_at.timestamp())}",
            "Sunset": format_datetime(self.sunset_at.astimezone(UTC), usegmt=True),
            "Link": f'<{successor or self.successor}>; rel="successor-version"',
        }

    def dependency(self) -> Callable[..., Coroutine[Any, Any, None]]:
        """A route dependency adding the headers; the successor's `{…}` filled from the path."""
        deprecation, sunset = self.headers()["Deprecation"], self.headers()["Sunset"]

        async def announce_retirement(request: Request, response: Response) -> None:
            successor = self.successor.format_map(request.path_params)
            response.headers["Deprecation"] = deprecation
            response.headers["Sunset"] = sunset
            response.headers["Link"] = f'<{quote(successor, safe="/:")}>; rel="successor-version"'

        return announce_retirement

    def openapi(self, status: int = 200) -> dict[str, Any]:
        """`deprecated` and the headers on `status`: spread into the route decorator."""
        headers = {
            name: {"description": text, "schema": {"type": "string"}}
            for name, text in _HEADER_DOCS.items()
        }
        example = self.headers()
        for name, header in headers.items():
            header["example"] = example[name]
        return {"deprecated": True, "responses": {status: {"headers": headers}}}
