"""The server span of each request, named by its route template (tracing on only).

OpenTelemetry's ASGI middleware makes the span, takes a parent from an incoming
`traceparent`, and records the status; it is built on the first request after the
lifespan has made the worker's provider. It wraps the edge, so the span is current for
the edge's access line and its 500s. The route is known only once routing has run: the
span is named by the method alone (never the raw path) and renamed as the response starts.
"""

from typing import TYPE_CHECKING, Any

from opentelemetry import trace
from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
from opentelemetry.sdk.trace import TracerProvider
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.observability._metrics import UNMATCHED_ROUTE, route_template

if TYPE_CHECKING:
    from app.core.observability.tracing import Tracing


def _method_only(scope: Scope) -> tuple[str, dict[str, Any]]:
    return scope.get("method", "HTTP"), {}


class TracingMiddleware:
    def __init__(self, app: ASGIApp, *, tracing: "Tracing") -> None:
        self.app = app
        self.tracing = tracing
        self._traced: ASGIApp | None = None
        self._traced_by: TracerProvider | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        provider = self.tracing.provider
        if scope["type"] != "http" or provider is None:
            await self.app(scope, receive, send)
            return
        if self._traced is None or self._traced_by is not provider:
            self._traced = OpenTelemetryMiddleware(
                self._named_by_route,
                default_span_details=_method_only,
                tracer_provider=provider,
                exclude_spans=["receive", "send"],  # no span per ASGI message
            )
            self._traced_by = provider
        await self._traced(scope, receive, send)

    async def _named_by_route(self, scope: Scope, receive: Receive, send: Send) -> None:
        span = trace.get_current_span()  # the server span, ended with the response's last part

        async def send_named(message: Message) -> None:
            if message["type"] == "http.response.start":  # routing has run by now
                route = route_template(scope)
                if route != UNMATCHED_ROUTE and span.is_recording():
                    span.update_name(f"{scope['method']} {route}")
                    span.set_attribute("http.route", route)
            await send(message)

        await self.app(scope, receive, send_named)
