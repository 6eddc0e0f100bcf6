"""Server-Sent Events: the wire format and a stream of one topic's events.

`event_stream()` writes, in order: the events a reconnecting client missed (from the event
log, after its `Last-Event-ID`), then live events from the fan-out, skipping any already
sent (ids only grow). A `GAP` from the fan-out (listener reconnected, or this reader was
too slow) replays from the event log after the last id sent. A comment line every
`heartbeat_seconds` keeps proxies and clients from timing the connection out. The stream
ends when the server starts shutting down (`draining`) or the fan-out closes; the client's
EventSource then reconnects, with `Last-Event-ID`, to another worker or instance.

`EventStreamResponse` releases the subscription (and its slot under the per-worker cap)
whatever happens, even if the body is never iterated.
"""

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractContextManager, suppress
from http import HTTPStatus
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from app.core.errors import AppError
from app.core.streams import _draining as draining
from app.core.streams._event_log import Event, replay
from app.core.streams._fanout import CLOSED, GAP, Subscription

MEDIA_TYPE = "text/event-stream"
# Tells clients how long to wait before reconnecting after the stream ends.
RECONNECT_MILLISECONDS = 1000
Render = Callable[[AsyncSession, Event], Awaitable[Any | None]]


class StreamsPerClientExceeded(AppError):
    """429: this client holds its share of the worker's streams; others may still open one."""

    status_code = HTTPStatus.TOO_MANY_REQUESTS

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(
            "You hold as many open streams as one client may; close one, or try again shortly.",
            {"stream": ["too many open streams of yours"]},
        )
        self.headers = {"Retry-After": str(retry_after_seconds)}


class StreamsAtCapacity(AppError):
    status_code = HTTPStatus.SERVICE_UNAVAILABLE

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(
            "This server holds as many open streams as it may; try again shortly.",
            {"stream": ["too many open streams"]},
        )
        self.headers = {"Retry-After": str(retry_after_seconds)}


def format_event(event: Event, data: Any) -> bytes:
    body = json.dumps(data, separators=(",", ":"), default=str)
    return f"id: {event.id}\nevent: {event.kind}\ndata: {body}\n\n".encode()


HEARTBEAT = b": heartbeat\n\n"
OPENING = f"retry: {RECONNECT_MILLISECONDS}\n: open\n\n".encode()


async def _next_item(subscription: Subscription, heartbeat: float) -> Event | str | None:
    """The next event or marker; None after `heartbeat` seconds; CLOSED when the server drains."""
    getting = asyncio.ensure_future(subscription.queue.get())
    drained = asyncio.ensure_future(draining.wait())
    try:
        done, _ = await asyncio.wait(
            {getting, drained}, timeout=heartbeat, return_when=asyncio.FIRST_COMPLETED
        )
    finally:
        drained.cancel()
        if not getting.done():
            getting.cancel()
    if getting in done:
        return getting.result()
    return CLOSED if drained in done else None


async def event_stream(
    subscription: Subscription,
    sessions: async_sessionmaker[AsyncSession],
    last_id: int,
    render: Render,
    heartbeat_seconds: float,
) -> AsyncIterator[bytes]:
    """The SSE body: replay after `last_id`, then live events, heartbeats in between."""
    yield OPENING
    pending: list[Event] = []
    replaying = True
    while True:
        if replaying:
            async with sessions() as session:
                pending = await replay(session, subscription.channel, subscription.topic, last_id)
            replaying = len(pending) > 0
        else:
            item = await _next_item(subscription, heartbeat_seconds)
            if item is None:
                yield HEARTBEAT
                continue
            if item == CLOSED:
                return
            if item == GAP:
                replaying = True
                continue
            assert isinstance(item, Event)  # noqa: S101 (the queue holds events and markers)
            pending = [item]
        for event in pending:
            if event.id <= last_id:
                continue  # sent already, by the replay or before a gap
            async with sessions() as session:
                data = await render(session, event)
            last_id = event.id
            if data is not None:
                yield format_event(event, data)


class EventStreamResponse(StreamingResponse):
    """A `text/event-stream` response that releases its subscription when it ends."""

    media_type = MEDIA_TYPE

    def __init__(
        self, body: AsyncIterator[bytes], subscription: AbstractContextManager[Any]
    ) -> None:
        super().__init__(
            body,
            media_type=MEDIA_TYPE,
            # No caching, and no buffering by NGINX (X-Accel-Buffering), which would hold
            # events back until a buffer fills.
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
        self._subscription = subscription

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._subscription.__exit__(None, None, None)
            with suppress(Exception):
                await self.body_iterator.aclose()  # type: ignore[attr-defined]
