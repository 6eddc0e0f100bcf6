"""The server is shutting down: open streams must end so the shutdown does not hang.

Uvicorn's graceful shutdown waits for every response in progress to complete BEFORE it
runs the lifespan's shutdown, so a stream cannot learn of the shutdown from the lifespan.
The Gunicorn worker's protocol (app/core/edge/server_worker.py) calls `begin_draining()`
as soon as the server starts shutting down; streams wait on `wait()` beside their events.
"""

import asyncio
import weakref

_begun = False
# One event per loop: an asyncio.Event belongs to the loop that first waits on it.
_events: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Event]" = (
    weakref.WeakKeyDictionary()
)


def begin_draining() -> None:
    global _begun  # noqa: PLW0603 (one flag per process, set once)
    _begun = True
    for event in _events.values():
        event.set()


def is_draining() -> bool:
    return _begun


async def wait() -> None:
    if _begun:
        return
    await _events.setdefault(asyncio.get_running_loop(), asyncio.Event()).wait()
