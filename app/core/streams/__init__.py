"""Live events for Server-Sent Events streams, across workers and instances.

- `event_log`: `publish()` records an event and NOTIFYs it in the caller's transaction;
  `replay()` reads what a reconnecting client missed.
- `fanout`: one LISTEN connection per worker, fanning notifications out to subscribers.
- `sse`: the wire format and the streaming response (heartbeats, shutdown, caps).
- `draining`: the signal that the server is shutting down, so open streams end.

Nothing here knows what the events are about: a channel, a topic (e.g. one article),
a kind and a small JSON object.
"""
