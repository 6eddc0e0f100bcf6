"""Liveness never touches I/O; readiness follows the database connection path."""

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy.engine import make_url

from app.core.config import Settings
from app.core.db import create_engine


async def test_live_is_ok(client: AsyncClient) -> None:
    response = await client.get("/health/live")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_ready_is_ok_with_a_database(client: AsyncClient) -> None:
    response = await client.get("/health/ready")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


class TcpProxy:
    """A loopback TCP relay to the database that the test can cut and restore."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._pipes):
            writer.close()
        await self._server.wait_closed()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        self._pipes |= {writer, upstream_writer}

        async def pump(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError, OSError):
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            sink.close()

        await asyncio.gather(pump(reader, upstream_writer), pump(upstream_reader, writer))


@pytest.fixture
async def proxied_app(app: FastAPI, settings: Settings) -> AsyncIterator[tuple[FastAPI, TcpProxy]]:
    url = make_url(settings.database_url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    await proxy.start()
    proxied_url = url.set(port=proxy.port).render_as_string(hide_password=False)
    engine = create_engine(
        settings.model_copy(update={"database_url": proxied_url, "health_db_timeout_seconds": 1})
    )
    app.state.engine = engine
    app.state.settings = settings.model_copy(update={"health_db_timeout_seconds": 1.0})
    yield app, proxy
    await engine.dispose()
    with contextlib.suppress(Exception):
        await proxy.stop()


async def test_ready_reports_503_while_database_unreachable_then_recovers(
    proxied_app: tuple[FastAPI, TcpProxy], client: AsyncClient
) -> None:
    _, proxy = proxied_app
    assert (await client.get("/health/ready")).status_code == 200

    await proxy.stop()
    down = await client.get("/health/ready")

    assert down.status_code == 503
    assert down.headers["content-type"] == "application/problem+json"
    assert down.json()["errors"] == {"database": ["is unreachable"]}

    await proxy.start()
    assert (await client.get("/health/ready")).status_code == 200
