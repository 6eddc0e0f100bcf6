"""The event log: every published event is a row, and a NOTIFY sent when it commits.

`publish()` is ONE statement in the caller's transaction: the INSERT and `pg_notify` are
committed together, so a rolled-back change never notifies and a committed one always does
(PostgreSQL delivers notifications at commit). The row's id is the SSE event id; a client
reconnecting with `Last-Event-ID` is replayed the rows after it (`replay()`). Rows older
than the retention are deleted by the fan-out (app/core/streams/_fanout.py).
"""

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Index, String, bindparam, func, select, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base

# PostgreSQL refuses NOTIFY payloads over 8000 bytes; events carry ids, not documents.
MAX_DATA_BYTES = 1000
REPLAY_BATCH = 500


class StreamEvent(Base):
    __tablename__ = "stream_events"
    # Replay reads one topic after an id.
    __table_args__ = (Index("ix_stream_events_channel_topic_id", "channel", "topic", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(63))
    topic: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(63))
    data: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), index=True
    )


@dataclass(frozen=True)
class Event:
    id: int
    topic: str
    kind: str
    data: dict[str, Any]


_PUBLISH = text(
    "WITH event AS ("
    " INSERT INTO stream_events (channel, topic, kind, data)"
    " VALUES (:channel, :topic, :kind, CAST(:data AS jsonb)) RETURNING id)"
    " SELECT pg_notify(:channel, json_build_object("
    "'id', id, 'topic', CAST(:topic AS text), 'kind', CAST(:kind AS text),"
    " 'data', CAST(:data AS json))::text) FROM event"
)


async def publish(
    session: AsyncSession, channel: str, topic: str, kind: str, data: dict[str, Any]
) -> None:
    """Record and notify `data` on `channel` for `topic`, in the session's transaction."""
    encoded = json.dumps(data, separators=(",", ":"))
    if len(encoded.encode()) > MAX_DATA_BYTES:
        raise ValueError(f"event data over {MAX_DATA_BYTES} bytes: publish ids, not documents")
    parameters = {"channel": channel, "topic": topic, "kind": kind, "data": encoded}
    await session.execute(_PUBLISH, parameters)


def event_from_notification(payload: str) -> Event:
    fields = json.loads(payload)
    return Event(int(fields["id"]), str(fields["topic"]), str(fields["kind"]), fields["data"])


_AFTER = (
    select(StreamEvent.id, StreamEvent.topic, StreamEvent.kind, StreamEvent.data)
    .where(
        StreamEvent.channel == bindparam("channel"),
        StreamEvent.topic == bindparam("topic"),
        StreamEvent.id > bindparam("after"),
    )
    .order_by(StreamEvent.id)
    .limit(REPLAY_BATCH)
)


async def replay(session: AsyncSession, channel: str, topic: str, after: int) -> list[Event]:
    """Up to `REPLAY_BATCH` events of the topic after the id `after`, oldest first."""
    rows = await session.execute(_AFTER, {"channel": channel, "topic": topic, "after": after})
    return [Event(*row) for row in rows]


async def latest_id(session: AsyncSession) -> int:
    """The newest event id of any topic: where a stream without `Last-Event-ID` starts."""
    newest = await session.scalar(select(func.max(StreamEvent.id)))
    return int(newest or 0)
