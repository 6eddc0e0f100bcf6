"""A loopback TCP relay to PostgreSQL that holds back the end of each server connection.

When the server ends a connection (a shutdown, `pg_terminate_backend`), it sends a FATAL
error and closes the socket. The client reads the two in separate event-loop turns, and
across a network the close can come well after the error: in between, the connection is
open but its protocol is mid-message. The relay makes that window seconds long, so a test
can use the connection inside it.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from sqlalchemy.engine import make_url

from tests.support.ports import free_port


async def _pump(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, close_delay: float
) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
        await asyncio.sleep(close_delay)
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


@asynccontextmanager
async def close_delaying_relay(database_url: str, close_delay: float) -> AsyncIterator[str]:
    """`database_url` through a relay on loopback that closes client sockets `close_delay`
    seconds after the server closed its side."""
    target = make_url(database_url)
    pumps: set[asyncio.Task[None]] = set()

    async def relay(
        client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter
    ) -> None:
        server_reader, server_writer = await asyncio.open_connection(
            target.host, target.port or 5432
        )
        for pump in (
            _pump(client_reader, server_writer, 0),
            _pump(server_reader, client_writer, close_delay),
        ):
            task = asyncio.create_task(pump)
            pumps.add(task)
            task.add_done_callback(pumps.discard)

    port = free_port()
    server = await asyncio.start_server(relay, "127.0.0.1", port)
    try:
        yield target.set(host="127.0.0.1", port=port).render_as_string(hide_password=False)
    finally:
        server.close()
        for task in list(pumps):
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
        await server.wait_closed()
