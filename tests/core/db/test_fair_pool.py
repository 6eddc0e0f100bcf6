"""The pool lends connections first come, first served, and never loses one."""

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.util.concurrency import greenlet_spawn
from sqlalchemy.util.queue import Empty

from app.core.config import Settings
from app.core.db import create_engine


@pytest.fixture
async def two_connections(
    settings: Settings, request: pytest.FixtureRequest
) -> AsyncIterator[AsyncEngine]:
    # Waiting tests wait long (a loaded machine must not time them out); one test times out.
    timeout = getattr(request, "param", 10.0)
    small = settings.model_copy(
        update={"db_pool_size": 2, "db_max_overflow": 0, "db_pool_timeout_seconds": timeout}
    )
    engine = create_engine(small)
    yield engine
    await engine.dispose()


async def _settle() -> None:
    for _ in range(20):  # let every started task reach its wait in the pool
        await asyncio.sleep(0)


async def test_waiters_are_served_in_arrival_order(
    two_connections: AsyncEngine,
) -> None:
    served: list[int] = []
    release = asyncio.Event()
    both_held = asyncio.Event()

    async def borrow(number: int) -> None:
        async with two_connections.connect() as connection:
            served.append(number)
            if len(served) == 2:
                both_held.set()
            await connection.exec_driver_sql("SELECT 1")
            await release.wait()

    holders = [asyncio.create_task(borrow(n)) for n in (0, 1)]
    await both_held.wait()  # opening a connection takes real I/O: waiters start after it
    waiters = []
    for number in range(2, 8):
        waiters.append(asyncio.create_task(borrow(number)))
        await _settle()
    release.set()  # from now on every holder gives its connection back at once
    late = asyncio.create_task(borrow(99))  # arrives while 6 are still waiting
    await asyncio.gather(*holders, *waiters, late)

    assert sorted(served[:2]) == [0, 1]  # both opened a connection; either may finish first
    assert served[2:] == [2, 3, 4, 5, 6, 7, 99]  # then strictly in arrival order


async def test_a_returned_connection_goes_to_the_oldest_waiter_never_a_newcomer(
    two_connections: AsyncEngine,
) -> None:
    queue = two_connections.sync_engine.pool._pool  # type: ignore[attr-defined]
    waiting = asyncio.create_task(greenlet_spawn(queue.get, True, 5))
    await _settle()

    queue.put_nowait("returned connection")

    with pytest.raises(Empty):
        queue.get_nowait()  # what a request arriving now would try first
    assert await waiting == "returned connection"


@pytest.mark.parametrize("two_connections", [0.5], indirect=True)
async def test_a_timed_out_or_cancelled_waiter_loses_no_connection(
    two_connections: AsyncEngine,
) -> None:
    held: list[AsyncConnection] = [await two_connections.connect() for _ in range(2)]

    with pytest.raises(PoolTimeout):
        await two_connections.connect()

    async def connect() -> AsyncConnection:
        return await two_connections.connect()

    cancelled = asyncio.create_task(connect())
    await _settle()
    cancelled.cancel()
    await held[0].close()  # handed to nobody: both waiters are gone
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    await held[1].close()

    pool = two_connections.pool
    assert pool.checkedout() == 0  # type: ignore[attr-defined]
    async with two_connections.connect() as first, two_connections.connect() as second:
        assert (await first.exec_driver_sql("SELECT 1")).scalar() == 1
        assert (await second.exec_driver_sql("SELECT 1")).scalar() == 1
