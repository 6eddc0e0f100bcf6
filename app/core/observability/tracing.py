"""OpenTelemetry tracing: on with `OTEL_ENABLED=true`, and otherwise never imported.

`app/main.py` imports this module only when tracing is on, so with it off no SDK,
exporter or instrumentation is loaded and a request meets nothing of it. When on:

- a server span per request, named by its route template (`GET /api/profiles/{username}`),
  with the HTTP status (`TracingMiddleware`, the outermost layer, around the edge);
- a child span per SQL statement on the worker's engine, and per outgoing httpx call;
- the trace id in every log record made while a span is current (`trace_id`), and in
  problem bodies next to the request id.

The provider is built per worker in the lifespan (after Gunicorn forks: the batch
processor's export thread belongs to the worker), and shut down, which flushes the
spans still queued, when the lifespan ends.
"""

import logging
from collections.abc import Callable
from typing import Any

from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.middleware import Middleware

from app.core import request_id
from app.core.config import Settings
from app.core.db import run_reads_the_ordinary_way
from app.core.observability._tracing_middleware import TracingMiddleware

logger = logging.getLogger(__name__)


def current_trace_id() -> str | None:
    """The current trace's id as 32 hex digits (W3C form), or None outside a sampled span:
    an id is printed only when its trace is recorded, so every id leads somewhere."""
    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.trace_flags.sampled else None


class Tracing:
    """The tracing of one app: built with it, started and shut down by its lifespan."""

    def __init__(self, settings: Settings, exporter: SpanExporter | None = None) -> None:
        self.settings = settings
        # None: OTLP over HTTP to OTEL_EXPORTER_OTLP_ENDPOINT. Tests put an in-memory one here.
        self.exporter = exporter
        self.provider: TracerProvider | None = None
        self._engine: AsyncEngine | None = None
        self._record_factory: Callable[..., logging.LogRecord] | None = None

    def middleware(self) -> Middleware:
        return Middleware(TracingMiddleware, tracing=self)

    def start(self, engine: AsyncEngine) -> None:
        settings = self.settings
        exporter = self.exporter or OTLPSpanExporter(
            # The SDK's own rule for this variable: the base URL, the signal's path appended.
            endpoint=settings.otel_exporter_otlp_endpoint.rstrip("/") + "/v1/traces"
        )
        provider = TracerProvider(
            resource=Resource.create(
                {SERVICE_NAME: settings.otel_service_name or settings.app_name}
            ),
            sampler=ParentBased(TraceIdRatioBased(settings.otel_traces_sampler_ratio)),
        )
        provider.add_span_processor(BatchSpanProcessor(exporter))
        SQLAlchemyInstrumentor().instrument(
            engine=engine.sync_engine, tracer_provider=provider, skip_dep_check=True
        )
        run_reads_the_ordinary_way(engine)  # so every statement gets its span
        HTTPXClientInstrumentor().instrument(tracer_provider=provider)
        self._install_trace_ids()
        self.provider, self._engine = provider, engine
        logger.info(
            "tracing on: sampling %s of traces, exporting to %s",
            settings.otel_traces_sampler_ratio,
            "a test exporter" if self.exporter else settings.otel_exporter_otlp_endpoint,
        )

    def shutdown(self) -> None:
        """Undo `start` (if it ran), flushing the spans not yet exported."""
        provider, self.provider = self.provider, None
        if provider is None:
            return
        HTTPXClientInstrumentor().uninstrument()
        SQLAlchemyInstrumentor().uninstrument()
        if self._engine is not None:
            run_reads_the_ordinary_way(self._engine, ordinary=False)
        self._remove_trace_ids()
        provider.shutdown()

    def _install_trace_ids(self) -> None:
        # A record factory, not a handler filter: every handler sees the field, whichever
        # handler runs first (pytest's capture included).
        previous = self._record_factory = logging.getLogRecordFactory()

        def with_trace_id(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            trace_id = current_trace_id()
            if trace_id is not None:
                record.trace_id = trace_id
            return record

        logging.setLogRecordFactory(with_trace_id)
        request_id.trace_id_source = current_trace_id

    def _remove_trace_ids(self) -> None:
        if self._record_factory is not None:
            logging.setLogRecordFactory(self._record_factory)
            self._record_factory = None
        request_id.trace_id_source = None
