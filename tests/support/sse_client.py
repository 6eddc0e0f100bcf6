"""Reading Server-Sent Events from an httpx streaming response, as a browser would."""

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx

READ_TIMEOUT = 15.0


@dataclass(frozen=True)
class Received:
    id: int | None
    event: str | None
    data: Any
    comments: tuple[str, ...]


class EventReader:
    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self._lines: AsyncIterator[str] = response.aiter_lines()

    async def next(self) -> Received:
        """The next event (comment lines before it are kept in `comments`)."""
        fields: dict[str, str] = {}
        comments: list[str] = []
        while True:
            line = await asyncio.wait_for(anext(self._lines), READ_TIMEOUT)
            if line == "":
                if "data" in fields:
                    event_id = fields.get("id")
                    return Received(
                        int(event_id) if event_id else None,
                        fields.get("event"),
                        json.loads(fields["data"]),
                        tuple(comments),
                    )
                fields.clear()  # e.g. the opening `retry:` block
                continue
            if line.startswith(":"):
                comments.append(line[1:].strip())
                continue
            name, _, value = line.partition(":")
            fields[name] = value.removeprefix(" ")

    async def comment(self) -> str:
        """The next comment line (skipping blank lines and `retry:`)."""
        while True:
            line = await asyncio.wait_for(anext(self._lines), READ_TIMEOUT)
            if line.startswith(":"):
                return line[1:].strip()

    async def ended(self) -> bool:
        """True once the server ends the stream (remaining lines are read and dropped)."""
        try:
            while True:
                await asyncio.wait_for(anext(self._lines), READ_TIMEOUT)
        except StopAsyncIteration:
            return True
