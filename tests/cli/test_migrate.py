"""`python -m app.cli.migrate` (the Compose `migrate` service): waits, logs JSON, migrates."""

import asyncio
import json
import logging
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from app.cli.migrate import DatabaseUnreachableError, wait_for_database
from app.core.config import DEVELOPMENT_SECRET_KEY, Settings
from tests.support.database import scratch_database
from tests.support.ports import free_port

REPO_ROOT = Path(__file__).resolve().parents[2]


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


@asynccontextmanager
async def _forwarder(port: int, target: tuple[str, int]) -> AsyncIterator[None]:
    """A TCP server on `port` relaying every connection to the database at `target`."""

    async def relay(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        server_r, server_w = await asyncio.open_connection(*target)
        await asyncio.gather(_pipe(client_r, server_w), _pipe(server_r, client_w))

    server = await asyncio.start_server(relay, "127.0.0.1", port)
    async with server:
        yield


class _OnFirstRetry(logging.Handler):
    """Sets an event when the waiter logs its first "not reachable yet"."""

    def __init__(self) -> None:
        super().__init__()
        self.retried = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if "not reachable yet" in record.getMessage():
            self.retried.set()


async def test_a_closed_port_is_retried_then_reported(caplog: pytest.LogCaptureFixture) -> None:
    url = f"postgresql+asyncpg://app@127.0.0.1:{free_port()}/app"

    with (
        caplog.at_level(logging.WARNING, logger="app.cli.migrate"),
        pytest.raises(DatabaseUnreachableError, match="ConnectionRefusedError"),
    ):
        await wait_for_database(url, wait_seconds=1)

    retries = [record for record in caplog.records if "not reachable yet" in record.message]
    assert len(retries) >= 2
    assert [getattr(record, "attempt", None) for record in retries[:2]] == [1, 2]


async def test_a_database_that_starts_late_is_waited_for(settings: Settings) -> None:
    database = make_url(settings.database_url)
    port = free_port()
    late_url = database.set(host="127.0.0.1", port=port).render_as_string(hide_password=False)
    handler = _OnFirstRetry()
    logging.getLogger("app.cli.migrate").addHandler(handler)

    async def start_listening_after_the_first_refusal() -> None:
        await handler.retried.wait()
        async with _forwarder(port, (database.host or "127.0.0.1", database.port or 5432)):
            await asyncio.Event().wait()  # until cancelled

    server = asyncio.create_task(start_listening_after_the_first_refusal())
    try:
        attempts = await wait_for_database(late_url, wait_seconds=30)
    finally:
        logging.getLogger("app.cli.migrate").removeHandler(handler)
        server.cancel()
        with suppress(asyncio.CancelledError):
            await server

    assert attempts >= 2
    assert handler.retried.is_set()


async def test_errors_waiting_cannot_fix_are_raised_at_once(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    url = make_url(settings.database_url).set(database="no_such_database")

    with caplog.at_level(logging.WARNING, logger="app.cli.migrate"), pytest.raises(DBAPIError):
        await wait_for_database(url.render_as_string(hide_password=False), wait_seconds=30)

    assert [record for record in caplog.records if "not reachable yet" in record.message] == []


def _migrate(cwd: Path, **environment: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli.migrate", "--wait-seconds", "5"],
        cwd=cwd,
        env={"PATH": os.environ["PATH"], "PYTHONPATH": str(REPO_ROOT)} | environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


async def test_migrates_a_fresh_database_logging_json_lines(settings: Settings) -> None:
    async with scratch_database(settings.database_url, "migrate_cli") as url:
        environment = {"DATABASE_URL": url, "ENVIRONMENT": "test", "SECRET_KEY": "s" * 48}
        result = await asyncio.to_thread(_migrate, REPO_ROOT, LOG_FORMAT="json", **environment)

    assert result.returncode == 0, result.stderr
    entries = [json.loads(line) for line in result.stderr.splitlines()]  # JSON, every line
    messages = [entry["message"] for entry in entries if entry["logger"].startswith("alembic")]
    assert any(message.startswith("Running upgrade  -> 0001") for message in messages)


def test_a_bad_configuration_is_one_message_without_traceback(tmp_path: Path) -> None:
    # Run where no .env exists, so DATABASE_URL is really missing.
    result = _migrate(tmp_path, ENVIRONMENT="production", SECRET_KEY=DEVELOPMENT_SECRET_KEY)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "  - DATABASE_URL is required but not set" in result.stderr
    assert "  - SECRET_KEY is the development/example value" in result.stderr
