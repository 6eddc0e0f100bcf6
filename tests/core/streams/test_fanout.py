"""The fan-out against a real PostgreSQL: commit-only delivery, topics, reconnection, cap."""

import asyncio
import uuid

import pytest
from sqlalchemy import delete, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.core.config import Settings
from app.core.streams import (
    CLOSED,
    GAP,
    MAX_DATA_BYTES,
    Event,
    EventFanout,
    Item,
    StreamEvent,
    TooManyStreams,
    TooManyStreamsForClient,
    event_fanout,
    publish,
)

CHANNEL = "fanout_test"
WAIT = 10.0
LISTENER = f"fanout test {uuid.uuid4().hex[:8]}"


async def _publish(engine: AsyncEngine, topic: str, kind: str, *, commit: bool) -> None:
    async with engine.connect() as connection:
        session = AsyncSession(bind=connection)
        await publish(session, CHANNEL, topic, kind, {"n": 1})
        await (session.commit() if commit else session.rollback())


async def _next(queue: "asyncio.Queue[Item]") -> Item:
    return await asyncio.wait_for(queue.get(), WAIT)


async def test_only_committed_events_of_the_topic_arrive_and_a_lost_connection_heals(
    settings: Settings, engine: AsyncEngine
) -> None:
    topic, other = uuid.uuid4().hex, uuid.uuid4().hex
    fanout = EventFanout(
        settings.listen_dsn,
        (CHANNEL,),
        max_subscribers=1,
        retention_seconds=60,
        application_name=LISTENER,
    )
    try:
        with fanout.subscribe(CHANNEL, topic) as subscription:
            assert await _next(subscription.queue) == GAP  # listening: replay from the log
            await _publish(engine, topic, "rolled.back", commit=False)
            await _publish(engine, other, "elsewhere", commit=True)
            await _publish(engine, topic, "committed", commit=True)
            event = await _next(subscription.queue)
            assert isinstance(event, Event)
            assert (event.topic, event.kind, event.data) == (topic, "committed", {"n": 1})
            assert subscription.queue.empty()

            with pytest.raises(TooManyStreams), fanout.subscribe(CHANNEL, other):
                pass

            # The listener's backend is killed: it reconnects and asks for a replay.
            async with engine.connect() as connection:
                await connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE application_name = :name"
                    ),
                    {"name": LISTENER},
                )
                await connection.commit()
            assert await _next(subscription.queue) == GAP
            await _publish(engine, topic, "after.reconnect", commit=True)
            healed = await _next(subscription.queue)
            assert isinstance(healed, Event)
            assert healed.kind == "after.reconnect"
        assert fanout.open_streams == 0
        with fanout.subscribe(CHANNEL, topic) as last:
            await fanout.close()
            assert last.queue.get_nowait() == CLOSED
    finally:
        await fanout.close()
        async with engine.begin() as connection:
            await connection.execute(delete(StreamEvent).where(StreamEvent.channel == CHANNEL))


async def test_one_client_holds_at_most_its_share_and_others_still_get_theirs(
    settings: Settings,
) -> None:
    fanout = EventFanout(
        settings.listen_dsn,
        (CHANNEL,),
        max_subscribers=10,
        retention_seconds=60,
        application_name=LISTENER,
        max_per_client=2,
    )
    greedy = ("address:192.0.2.1", "account:7")
    elsewhere_same_account = ("address:192.0.2.9", "account:7")
    try:
        with fanout.subscribe(CHANNEL, "t", greedy), fanout.subscribe(CHANNEL, "t", greedy):
            with pytest.raises(TooManyStreamsForClient), fanout.subscribe(CHANNEL, "t", greedy[:1]):
                pass
            # The same account from elsewhere is at its share too; another client is not.
            with (
                pytest.raises(TooManyStreamsForClient),
                fanout.subscribe(CHANNEL, "t", elsewhere_same_account),
            ):
                pass
            with fanout.subscribe(CHANNEL, "t", ("address:192.0.2.2",)):
                assert fanout.open_streams == 3
        # Ended streams give their share back.
        with fanout.subscribe(CHANNEL, "t", greedy), fanout.subscribe(CHANNEL, "t", greedy):
            assert fanout.open_streams == 2
    finally:
        await fanout.close()


async def test_events_carry_ids_not_documents(session: AsyncSession) -> None:
    with pytest.raises(ValueError, match="ids, not documents"):
        await publish(session, CHANNEL, "t", "big", {"body": "x" * MAX_DATA_BYTES})


def test_the_listener_connects_directly_and_warns_behind_pgbouncer(
    caplog: pytest.LogCaptureFixture,
) -> None:
    direct = Settings(database_url="postgres://app@db/conduit", db_listen_url="")
    pooled = Settings(
        database_url="postgresql+asyncpg://app@pgbouncer:6432/conduit",
        db_listen_url="postgresql+asyncpg://app@db:5432/conduit",
        db_pooler="pgbouncer",
    )

    assert direct.db_listen_url is None
    assert direct.listen_dsn == "postgresql://app@db/conduit"
    assert pooled.listen_dsn == "postgresql://app@db:5432/conduit"
    assert event_fanout(pooled, (CHANNEL,)).dsn == pooled.listen_dsn
    assert "DB_LISTEN_URL" not in caplog.text
    event_fanout(pooled.model_copy(update={"db_listen_url": None}), (CHANNEL,))
    assert "without DB_LISTEN_URL" in caplog.text
