"""The one shape of instants in the API's JSON."""

from datetime import UTC, datetime
from typing import Annotated

from pydantic import PlainSerializer, WithJsonSchema


def _iso_utc_millis(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


Timestamp = Annotated[
    datetime,
    PlainSerializer(_iso_utc_millis, return_type=str),
    WithJsonSchema(
        {"type": "string", "format": "date-time", "examples": ["2026-01-31T09:15:00.000Z"]}
    ),
]
"""A UTC instant serialized as `YYYY-MM-DDTHH:MM:SS.mmmZ`."""
