"""The edge: one pure-ASGI layer around the application, the first and last code a request meets.

For each HTTP request it takes or makes the request id (echoed as `X-Request-ID`, and in
every log line and problem body while the request is served), adds the security headers,
turns an unexpected exception into a logged 500 problem, then counts the request in the
metrics and writes its access line, both with the final status.

One layer instead of one middleware per concern: each layer costs a call frame and a
wrapped `send` per request, and these concerns all want the same two moments (the
response start, and the end of the request).
"""

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.edge._access_log import log_access
from app.core.edge._security_headers import SecurityHeaders
from app.core.errors import internal_error_problem
from app.core.observability import RequestMetrics
from app.core.request_id import incoming_or_new, request_id_var

logger = logging.getLogger(__name__)


class EdgeMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        security_headers: SecurityHeaders,
        metrics: bool = True,
        unlogged_paths: frozenset[str] = frozenset(),
    ) -> None:
        self.app = app
        self.security_headers = security_headers
        self.metrics = RequestMetrics() if metrics else None
        self.unlogged_paths = unlogged_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started_at = time.perf_counter()
        request_id = incoming_or_new(scope)
        context = request_id_var.set(request_id)
        added_headers = [
            *self.security_headers.for_scope(scope),
            (b"x-request-id", request_id.encode()),
        ]
        status = 500  # what the client gets if the app fails before answering
        responded = False

        async def send_at_edge(message: Message) -> None:
            nonlocal status, responded
            if message["type"] == "http.response.start":
                status, responded = message["status"], True
                message["headers"] = _with_defaults(message.get("headers", ()), added_headers)
            await send(message)

        if self.metrics is not None:
            self.metrics.started()
        try:
            await self.app(scope, receive, send_at_edge)
        except Exception:
            # Logged once, here, with the request id; Starlette's fallback would log it again.
            logger.exception("unhandled error on %s %s", scope["method"], scope["path"])
            if responded:
                raise
            await internal_error_problem(request_id)(scope, receive, send_at_edge)
        finally:
            duration = time.perf_counter() - started_at
            if self.metrics is not None:
                self.metrics.finished(scope, status, duration)
            if scope["path"] not in self.unlogged_paths:
                log_access(scope, status, duration)
            request_id_var.reset(context)


def _with_defaults(
    headers: "list[tuple[bytes, bytes]] | tuple[tuple[bytes, bytes], ...]",
    defaults: list[tuple[bytes, bytes]],
) -> list[tuple[bytes, bytes]]:
    """The response's headers plus each default it does not set itself."""
    present = {name.lower() for name, _ in headers}
    return [*headers, *(header for header in defaults if header[0] not in present)]
