"""Access lines and request ids: every line of a request carries its id."""

import json
import logging

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

from app.core.edge import EdgeMiddleware, SecurityHeaders
from app.core.observability import ConsoleFormatter, JsonFormatter


def _access_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "app.access"]


async def test_one_access_line_per_request_with_fields(
    client: AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="app.access"):
        response = await client.get("/probe/things", headers={"X-Request-ID": "req-42"})

    [record] = _access_records(caplog)
    line = json.loads(JsonFormatter().format(record))
    assert response.headers["x-request-id"] == "req-42"
    assert line["logger"] == "app.access"
    assert line["level"] == "INFO"
    assert line["method"] == "GET"
    assert line["path"] == "/probe/things"
    assert line["status"] == 200
    assert line["duration_ms"] >= 0
    assert line["client"]
    assert line["request_id"] == "req-42"
    assert line["timestamp"].endswith("+00:00")


async def test_error_lines_and_access_line_share_the_request_id(
    app: object, client: AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    from fastapi import FastAPI  # noqa: PLC0415

    assert isinstance(app, FastAPI)

    @app.get("/explode")
    async def explode() -> None:
        raise ValueError("kaboom")

    with caplog.at_level(logging.INFO):
        response = await client.get("/explode", headers={"X-Request-ID": "trace-7"})

    ids = {
        getattr(record, "request_id", None) for record in caplog.records if record.name != "httpx"
    }
    assert response.status_code == 500
    assert ids == {"trace-7"}
    assert _access_records(caplog)[0].status == 500  # type: ignore[attr-defined]


@pytest.mark.parametrize("bad_id", ["x" * 129, "has space", "new\nline", "semi;colon", ""])
async def test_invalid_incoming_request_ids_are_replaced(client: AsyncClient, bad_id: str) -> None:
    response = await client.get("/api/user", headers={"X-Request-ID": bad_id})

    generated = response.headers["x-request-id"]
    assert generated != bad_id
    assert len(generated) == 32
    assert response.json()["request_id"] == generated


async def test_every_request_gets_a_fresh_id(client: AsyncClient) -> None:
    ids = {(await client.get("/health/live")).headers["x-request-id"] for _ in range(3)}

    assert len(ids) == 3


async def test_probes_write_no_access_line_unless_asked(
    app: FastAPI, client: AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="app.access"):
        assert (await client.get("/health/live")).status_code == 200
    assert _access_records(caplog) == []  # ACCESS_LOG_SKIP_PATHS: the probes by default

    logs_all = EdgeMiddleware(app, security_headers=SecurityHeaders(), unlogged_paths=frozenset())
    async with AsyncClient(transport=ASGITransport(app=logs_all), base_url="http://t") as other:
        with caplog.at_level(logging.INFO, logger="app.access"):
            assert (await other.get("/health/live")).status_code == 200
    assert [getattr(record, "path", None) for record in _access_records(caplog)] == ["/health/live"]


@pytest.mark.parametrize("injected", ["%0d%0a", "%0a", "%1b[31m", "%00"])
async def test_a_console_access_line_stays_one_line_whatever_the_path_holds(
    client: AsyncClient, caplog: pytest.LogCaptureFixture, injected: str
) -> None:
    forged = "2026-01-01 00:00:00 INFO    app.access [x] GET /admin 200"
    with caplog.at_level(logging.INFO, logger="app.access"):
        await client.get(f"/probe/things{injected}{forged.replace(' ', '%20')}")

    [record] = _access_records(caplog)
    record.request_id = "r"
    line = ConsoleFormatter().format(record)
    assert "\n" not in line
    assert "\r" not in line
    assert "\x1b" not in line
    assert "\x00" not in line
    assert forged in line  # still there to read, escaped, on the same line
