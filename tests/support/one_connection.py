"""The real application on a pool of ONE connection, for tests of the connection rule.

The rule (docs/architecture.md "Connections"): no pooled connection is held across
outgoing I/O or password hashing. With a single connection, a route that broke it would
make every other request wait for the pool until `DB_POOL_TIMEOUT_SECONDS`, then answer
503: a test holds the slow step open (`HeldOpen`) and reads meanwhile.
"""

import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from tests.support.committed import CommittedApp, committed_app

# Long enough for a read on a free connection, far shorter than the test's hold.
POOL_TIMEOUT_SECONDS = 2.0
HOLD_LIMIT_SECONDS = 20.0


@asynccontextmanager
async def one_connection_app(**settings: Any) -> AsyncIterator[CommittedApp]:
    async with committed_app(
        db_pool_size=1,
        db_max_overflow=0,
        db_pool_timeout_seconds=POOL_TIMEOUT_SECONDS,
        **settings,
    ) as app:
        yield app


class HeldOpen:
    """Stands in for a blocking function (run in the thread pool, as hashing is): it waits
    inside until the test lets it go, then calls the real one."""

    def __init__(self, real: Callable[..., Any]) -> None:
        self.real = real
        self.entered = threading.Event()
        self.released = threading.Event()
        self.checked_out_inside: int | None = None
        self.pool: Callable[[], int] = lambda: -1

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.checked_out_inside = self.pool()
        self.entered.set()
        if not self.released.wait(HOLD_LIMIT_SECONDS):
            raise TimeoutError("the test never released the held call")
        return self.real(*args, **kwargs)
