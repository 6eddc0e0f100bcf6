"""The Gunicorn worker: Uvicorn's, with limits on what a client may send before a request.

Gunicorn's own limits (`limit_request_line`, `limit_request_field_size`, ...) apply to its
sync parser only, not to Uvicorn workers, and Uvicorn's fast parser (httptools) has none:
it accepts a header of any size and waits forever for a head sent slowly. This worker keeps
httptools (and uvloop) and adds, per connection:

- a request line (method, target, version) of at most `HTTP_MAX_REQUEST_LINE_BYTES`, else 414;
- header fields of at most `HTTP_MAX_HEADER_BYTES` in total (names and values), else 431;
- a head (request line and headers) complete within `HTTP_HEADER_TIMEOUT_SECONDS` of the
  connection opening or of the request's first byte, else 408 and the connection is closed
  (an idle new connection is just closed): slow-header clients cannot hold connections.

Idle keep-alive connections are closed after `GUNICORN_KEEPALIVE` seconds by Uvicorn itself
(the worker passes Gunicorn's `keepalive` on as Uvicorn's `timeout_keep_alive`).
"""

import asyncio
import json
from http import HTTPStatus
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn_worker import UvicornWorker

from app.core.config import Settings, get_settings
from app.core.errors import PROBLEM_CONTENT_TYPE
from app.core.streams import begin_draining


def _refusal(status: HTTPStatus, field: str, message: str) -> bytes:
    """A complete problem response that closes the connection (no request id: no request)."""
    body = json.dumps(
        {
            "type": "about:blank",
            "title": status.phrase,
            "status": status.value,
            "detail": f"The request {field} {message}.",
            "errors": {field: [message]},
        }
    ).encode()
    head = (
        f"HTTP/1.1 {status.value} {status.phrase}\r\n"
        f"content-type: {PROBLEM_CONTENT_TYPE}\r\n"
        f"content-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    )
    return head.encode() + body


class _HeadRefused(Exception):
    """Raised from a parser callback: httptools stops and Uvicorn calls send_400_response."""


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """Uvicorn's httptools protocol with a size limit and a time limit on request heads."""

    max_request_line_bytes = 8190
    max_header_bytes = 16384
    header_timeout_seconds = 10.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._refusal: bytes | None = None
        self._head_started = False
        self._header_bytes = 0
        self._unparsed_bytes = 0
        self._head_deadline: asyncio.TimerHandle | None = None
        self._start_head_clock()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_clock()
        super().connection_lost(exc)

    def _start_head_clock(self) -> None:
        if self._head_deadline is None:
            self._head_deadline = self.loop.call_later(
                self.header_timeout_seconds, self._head_timed_out
            )

    def _stop_head_clock(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _head_timed_out(self) -> None:
        self._head_deadline = None
        if self.transport.is_closing():
            return
        if self._head_started:
            self.transport.write(
                _refusal(HTTPStatus.REQUEST_TIMEOUT, "head", "was not received in time")
            )
        self.transport.close()

    def _refuse(self, status: HTTPStatus, field: str, message: str) -> None:
        self._refusal = _refusal(status, field, message)
        raise _HeadRefused(message)

    def data_received(self, data: bytes) -> None:
        if self._head_deadline is not None:  # a head is being read
            self._unparsed_bytes += len(data)
        super().data_received(data)
        # httptools buffers a header until it ends: bound the bytes of an unfinished head.
        unfinished = self._head_deadline is not None and not self.transport.is_closing()
        if (
            unfinished
            and self._unparsed_bytes > self.max_request_line_bytes + self.max_header_bytes
        ):
            self._refusal = _refusal(
                HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "headers", "are too large"
            )
            self.send_400_response("")

    def send_400_response(self, msg: str) -> None:
        if self._refusal is None:
            super().send_400_response(msg)
            return
        self.transport.write(self._refusal)
        self.transport.close()

    # Parser callbacks, in the order httptools calls them.

    def shutdown(self) -> None:
        # The server is shutting down: open streams end now, or the graceful shutdown
        # would wait for them until Gunicorn's graceful timeout (app/core/streams/_draining.py).
        begin_draining()
        super().shutdown()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_started = True
        self._header_bytes = 0
        self._start_head_clock()

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        if len(self.url) > self.max_request_line_bytes:
            self._refuse(HTTPStatus.REQUEST_URI_TOO_LONG, "target", "is too long")

    def on_header(self, name: bytes, value: bytes) -> None:
        super().on_header(name, value)
        self._header_bytes += len(name) + len(value)
        if self._header_bytes > self.max_header_bytes:
            self._refuse(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "headers", "are too large")

    def on_headers_complete(self) -> None:
        self._stop_head_clock()
        self._head_started = False
        self._unparsed_bytes = 0
        super().on_headers_complete()


def bounded_protocol(settings: Settings) -> type[BoundedHttpToolsProtocol]:
    """The protocol class with the limits of `settings`."""
    limits: dict[str, Any] = {
        "max_request_line_bytes": settings.http_max_request_line_bytes,
        "max_header_bytes": settings.http_max_header_bytes,
        "header_timeout_seconds": settings.http_header_timeout_seconds,
    }
    return type("ConfiguredHttpToolsProtocol", (BoundedHttpToolsProtocol,), limits)


class BoundedUvicornWorker(UvicornWorker):  # type: ignore[misc]  # uvicorn-worker is untyped
    """docker/gunicorn.conf.py's `worker_class`."""

    sockets: list[Any]  # Gunicorn's listeners, set by the base class

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Read by UvicornWorker.__init__ into Uvicorn's Config.
        self.CONFIG_KWARGS = {
            "loop": "auto",
            "http": bounded_protocol(get_settings()),
            "server_header": False,  # no `server: uvicorn` banner for a scanner to match
        }
        super().__init__(*args, **kwargs)

    def run(self) -> None:
        # Uvicorn gets the plain listening sockets, not Gunicorn's wrappers. With uvloop,
        # stopping the server closes the descriptor in libuv, then calls `close()` on what
        # it was given: a plain socket is detached, but Gunicorn's wrapper closes it again,
        # gets EBADF and logs "Error while closing socket [Errno 9]" on every shutdown.
        self.sockets = [getattr(listener, "sock", listener) for listener in self.sockets]
        super().run()
