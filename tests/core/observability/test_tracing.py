"""Tracing on: spans per request, SQL statement and outgoing call, trace ids in logs and problems.

The app runs its real lifespan (its own engine, the worker's provider) with the SDK's
in-memory exporter in place of OTLP; the outgoing call goes to a real HTTP server on loopback.
"""

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from app.core.config import Settings
from app.core.observability import JsonFormatter
from tests.support.contract import check_against_openapi
from tests.support.probe_routes import with_probe_routes


@dataclass
class Traced:
    app: FastAPI
    client: httpx.AsyncClient
    exporter: InMemorySpanExporter
    peer_url: str

    def spans(self) -> list[ReadableSpan]:
        self.app.state.tracing.provider.force_flush()
        return list(self.exporter.get_finished_spans())


async def _answer_ok(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.readuntil(b"\r\n\r\n")
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
    await writer.drain()
    writer.close()


@pytest.fixture
async def traced(settings: Settings) -> AsyncIterator[Traced]:
    from app.main import create_app  # noqa: PLC0415

    app = with_probe_routes(create_app(settings.model_copy(update={"otel_enabled": True})))
    exporter = InMemorySpanExporter()
    app.state.tracing.exporter = exporter
    peer = await asyncio.start_server(_answer_ok, "127.0.0.1", 0)
    port = peer.sockets[0].getsockname()[1]

    @app.get("/test/outgoing")
    async def outgoing() -> dict[str, str]:
        async with httpx.AsyncClient() as client:
            answer = await client.get(f"http://127.0.0.1:{port}/peer")
        return {"peer": answer.text}

    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield Traced(app, client, exporter, f"http://127.0.0.1:{port}/peer")
    peer.close()
    await peer.wait_closed()


def _server_span(spans: list[ReadableSpan]) -> ReadableSpan:
    [server] = [span for span in spans if span.kind == SpanKind.SERVER]
    return server


def _status(span: ReadableSpan) -> object:
    attributes = span.attributes or {}
    return attributes.get("http.response.status_code", attributes.get("http.status_code"))


async def test_a_request_is_a_server_span_named_by_route_with_a_child_per_statement(
    traced: Traced, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="app.access"):
        response = await traced.client.get("/probe/things/no-such-thing")

    assert response.status_code == 404
    spans = traced.spans()
    server = _server_span(spans)
    assert server.name == "GET /probe/things/{name}"
    assert (server.attributes or {})["http.route"] == "/probe/things/{name}"
    assert _status(server) == 404
    children = [span for span in spans if span.kind == SpanKind.CLIENT]  # and a pool connect
    [statement] = [span for span in children if "db.statement" in (span.attributes or {})]
    assert str((statement.attributes or {})["db.statement"]).startswith("SELECT users.")
    assert server.context is not None
    for span in children:
        assert span.parent is not None
        assert span.parent.span_id == server.context.span_id

    trace_id = format(server.context.trace_id, "032x")
    body = response.json()
    assert body["trace_id"] == trace_id
    assert body["request_id"] == response.headers["x-request-id"]
    check_against_openapi(traced.app, response)
    [access] = [record for record in caplog.records if record.name == "app.access"]
    line = json.loads(JsonFormatter().format(access))
    assert line["trace_id"] == trace_id
    assert line["request_id"] == body["request_id"]


async def test_an_outgoing_httpx_call_is_a_child_span(traced: Traced) -> None:
    response = await traced.client.get("/test/outgoing")

    assert response.json() == {"peer": "ok"}
    spans = traced.spans()
    server = _server_span(spans)
    assert server.name == "GET /test/outgoing"
    assert _status(server) == 200
    [call] = [span for span in spans if span.kind == SpanKind.CLIENT]
    assert call.name == "GET"
    assert server.context is not None
    assert call.parent is not None
    assert call.parent.span_id == server.context.span_id
    attributes = call.attributes or {}
    assert attributes.get("http.url", attributes.get("url.full")) == traced.peer_url


async def test_an_unmatched_path_is_named_by_its_method_alone(traced: Traced) -> None:
    response = await traced.client.get("/no/such/path")

    assert response.status_code == 404
    server = _server_span(traced.spans())
    assert server.name == "GET"
    assert "http.route" not in (server.attributes or {})


async def test_an_incoming_traceparent_is_the_parent(traced: Traced) -> None:
    parent_trace = "4bf92f3577b34da6a3ce929d0e0e4736"
    header = f"00-{parent_trace}-00f067aa0ba902b7-01"
    response = await traced.client.get("/probe/things/missing", headers={"traceparent": header})

    assert response.json()["trace_id"] == parent_trace
    server = _server_span(traced.spans())
    assert server.context is not None
    assert format(server.context.trace_id, "032x") == parent_trace
