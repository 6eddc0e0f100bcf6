"""Live events for Server-Sent Events streams, across workers and instances.

- `publish()` records an event (`StreamEvent`) and NOTIFYs it in the caller's transaction;
  `replay()` reads what a reconnecting client missed, `REPLAY_BATCH` events at a time.
- `EventFanout` (built by `event_fanout` in the lifespan): one LISTEN connection per
  worker, fanning notifications out to subscribers, at most a cap of them.
- `EventStreamResponse` / `event_stream`: the wire format and the streaming response
  (heartbeats, shutdown, caps).
- `begin_draining`: the server is shutting down, so open streams end.

Nothing here knows what the events are about: a channel, a topic (e.g. one thread),
a kind and a small JSON object.
"""

from app.core.streams._draining import begin_draining, is_draining
from app.core.streams._event_log import (
    MAX_DATA_BYTES,
    REPLAY_BATCH,
    Event,
    StreamEvent,
    latest_id,
    publish,
    replay,
)
from app.core.streams._fanout import (
    CLOSED,
    GAP,
    QUEUE_SIZE,
    EventFanout,
    Item,
    Subscription,
    TooManyStreams,
    TooManyStreamsForClient,
)
from app.core.streams._setup import event_fanout
from app.core.streams._sse import (
    HEARTBEAT,
    MEDIA_TYPE,
    OPENING,
    EventStreamResponse,
    StreamsAtCapacity,
    StreamsPerClientExceeded,
    event_stream,
)

__all__ = [
    "CLOSED",
    "GAP",
    "HEARTBEAT",
    "MAX_DATA_BYTES",
    "MEDIA_TYPE",
    "OPENING",
    "QUEUE_SIZE",
    "REPLAY_BATCH",
    "Event",
    "EventFanout",
    "EventStreamResponse",
    "Item",
    "StreamEvent",
    "StreamsAtCapacity",
    "StreamsPerClientExceeded",
    "Subscription",
    "TooManyStreams",
    "TooManyStreamsForClient",
    "begin_draining",
    "event_fanout",
    "event_stream",
    "is_draining",
    "latest_id",
    "publish",
    "replay",
]
