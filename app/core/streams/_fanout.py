"""One LISTEN connection per worker, fanning notifications out to in-process subscribers.

The connection is opened lazily, by the first subscriber, on `DB_LISTEN_URL` (a direct
PostgreSQL URL: LISTEN does not survive PgBouncer in transaction mode). When it is lost,
the fan-out reconnects with backoff and, once listening again, hands every subscriber a
`GAP` marker: notifications sent meanwhile are gone, so each stream replays what it missed
from the event log. A subscriber too slow to drain its queue gets a `GAP` too (its queue
is cleared), never an unbounded buffer. Closing the fan-out hands subscribers `CLOSED`.
"""

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any, Final

import asyncpg

from app.core.streams._event_log import Event, event_from_notification

logger = logging.getLogger(__name__)

GAP: Final = "gap"
CLOSED: Final = "closed"
Item = Event | str
QUEUE_SIZE = 256
PING_SECONDS = 15.0
RECONNECT_DELAYS = (0.5, 1.0, 2.0, 5.0)
# Events older than the retention are deleted on connecting and then about once an hour.
SWEEP_EVERY_PINGS = int(3600 / PING_SECONDS)
SWEEP_SQL = "DELETE FROM stream_events WHERE created_at < now() - make_interval(secs => $1)"


class TooManyStreams(Exception):
    """The worker already serves its cap of open streams."""


class TooManyStreamsForClient(Exception):
    """This client (an address, an account) already holds its share of the worker's streams."""


@dataclass(eq=False)
class Subscription:
    channel: str
    topic: str
    queue: asyncio.Queue[Item] = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))

    def offer(self, item: Item) -> None:
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:  # a slow reader: drop what it has not read, it will replay
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(GAP)


class EventFanout:
    def __init__(
        self,
        dsn: str,
        channels: tuple[str, ...],
        *,
        max_subscribers: int,
        retention_seconds: int,
        application_name: str = "event listener",
        max_per_client: int | None = None,
    ) -> None:
        self.dsn = dsn
        self.application_name = application_name
        self.retention_seconds = retention_seconds
        self.channels = channels
        self.max_subscribers = max_subscribers
        # Below `max_subscribers`, so that one client cannot take every stream of a worker.
        self.max_per_client = max_per_client
        self._per_client: dict[str, int] = {}
        self._subscribers: dict[tuple[str, str], set[Subscription]] = {}
        self._count = 0
        self._task: asyncio.Task[None] | None = None
        self.listening = asyncio.Event()

    @property
    def open_streams(self) -> int:
        return self._count

    @contextmanager
    def subscribe(
        self, channel: str, topic: str, clients: tuple[str, ...] = ()
    ) -> Iterator[Subscription]:
        """Receive the channel's events for `topic` while the block runs. `clients` name
        who holds the stream (e.g. `address:…`, `account:…`): each holds at most
        `max_per_client` of the worker's streams at once."""
        if self._count >= self.max_subscribers:
            raise TooManyStreams
        if self.max_per_client is not None and any(
            self._per_client.get(client, 0) >= self.max_per_client for client in clients
        ):
            raise TooManyStreamsForClient
        if channel not in self.channels:
            raise ValueError(f"channel {channel!r} is not listened to")
        subscription = Subscription(channel, topic)
        self._subscribers.setdefault((channel, topic), set()).add(subscription)
        self._count += 1
        for client in clients:
            self._per_client[client] = self._per_client.get(client, 0) + 1
        if self._task is None:
            self._task = asyncio.create_task(self._listen_forever(), name="event-fanout")
        try:
            yield subscription
        finally:
            self._count -= 1
            for client in clients:
                if self._per_client[client] == 1:
                    del self._per_client[client]
                else:
                    self._per_client[client] -= 1
            subscribers = self._subscribers[(channel, topic)]
            subscribers.discard(subscription)
            if not subscribers:
                del self._subscribers[(channel, topic)]

    def _deliver(self, _connection: Any, _pid: int, channel: str, payload: str) -> None:
        try:
            event = event_from_notification(payload)
        except (ValueError, KeyError, TypeError):
            logger.warning("unreadable notification on %s ignored", channel)
            return
        for subscription in self._subscribers.get((channel, event.topic), ()):
            subscription.offer(event)

    def _broadcast(self, item: str) -> None:
        for subscribers in self._subscribers.values():
            for subscription in subscribers:
                subscription.offer(item)

    async def _listen_forever(self) -> None:
        failures = 0  # consecutive attempts that never got to listen
        while True:
            try:
                await self._listen_once()  # returns only by raising
            except Exception as error:  # whatever broke it, listen again
                if self.listening.is_set():
                    failures = 0
                    logger.warning("event listener connection lost (%r); reconnecting", error)
                elif failures == 0:
                    logger.warning("event listener cannot connect (%r); retrying", error)
                self.listening.clear()
                await asyncio.sleep(RECONNECT_DELAYS[min(failures, len(RECONNECT_DELAYS) - 1)])
                failures += 1

    async def _listen_once(self) -> None:
        connection = await asyncpg.connect(
            self.dsn, timeout=10, server_settings={"application_name": self.application_name}
        )
        lost = asyncio.Event()
        connection.add_termination_listener(lambda _connection: lost.set())
        try:
            for channel in self.channels:
                await connection.add_listener(channel, self._deliver)
            logger.info("listening for events on %s", ", ".join(self.channels))
            self.listening.set()
            self._broadcast(GAP)  # whatever was sent while nobody listened: replay it
            pings = 0
            while not lost.is_set():
                if pings % SWEEP_EVERY_PINGS == 0:
                    await connection.execute(SWEEP_SQL, self.retention_seconds, timeout=30)
                with suppress(TimeoutError):
                    await asyncio.wait_for(lost.wait(), PING_SECONDS)
                if not lost.is_set():  # a silent network drop is found by the ping
                    await connection.fetchval("SELECT 1", timeout=5)
                pings += 1
            raise ConnectionResetError("the listening connection was closed")
        finally:
            connection.terminate()

    async def close(self) -> None:
        """Stop listening (lifespan exit) and tell subscribers left to end."""
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self._broadcast(CLOSED)
