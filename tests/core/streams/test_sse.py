"""The SSE body in-process: replay, live events without duplicates, gaps, heartbeats, end."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.streams import (
    CLOSED,
    GAP,
    HEARTBEAT,
    OPENING,
    QUEUE_SIZE,
    REPLAY_BATCH,
    Event,
    Subscription,
    event_stream,
    publish,
    replay,
)

CHANNEL, TOPIC = "sse_test", "thread-1"


async def _render(session: AsyncSession, event: Event) -> dict[str, Any] | None:
    return None if event.kind == "hidden" else {"n": event.data["n"]}


async def test_replay_then_live_then_gap_then_close(
    session: AsyncSession, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    for n, kind in enumerate(("seen", "missed", "hidden", "missed")):
        await publish(session, CHANNEL, TOPIC, kind, {"n": n})
    logged = await replay(session, CHANNEL, TOPIC, 0)
    subscription = Subscription(CHANNEL, TOPIC)
    body = event_stream(subscription, session_factory, logged[0].id, _render, 0.01)

    assert await anext(body) == OPENING
    replayed = [await anext(body), await anext(body)]  # "hidden" rendered as nothing
    assert replayed[0].startswith(f"id: {logged[1].id}\nevent: missed\ndata: ".encode())
    assert replayed[1].endswith(b'data: {"n":3}\n\n')

    subscription.offer(logged[3])  # already sent by the replay: skipped
    assert await anext(body) == HEARTBEAT
    await publish(session, CHANNEL, TOPIC, "after.gap", {"n": 4})
    subscription.offer(GAP)
    assert b"event: after.gap" in await anext(body)
    subscription.offer(CLOSED)
    assert [chunk async for chunk in body] == []


def test_a_reader_too_slow_is_told_to_replay() -> None:
    subscription = Subscription(CHANNEL, TOPIC)
    for n in range(QUEUE_SIZE + 1):
        subscription.offer(Event(n, TOPIC, "e", {}))

    assert subscription.queue.qsize() == 1
    assert subscription.queue.get_nowait() == GAP


async def test_a_replay_reads_a_bounded_batch_at_a_time(session: AsyncSession) -> None:
    # A client resuming from an old Last-Event-ID: the backlog comes in batches, never
    # loaded at once.
    topic = "long-backlog"
    for n in range(REPLAY_BATCH + 20):
        await publish(session, CHANNEL, topic, "seen", {"n": n})

    first = await replay(session, CHANNEL, topic, 0)
    rest = await replay(session, CHANNEL, topic, first[-1].id)

    assert len(first) == REPLAY_BATCH
    assert [event.data["n"] for event in rest] == list(range(REPLAY_BATCH, REPLAY_BATCH + 20))
