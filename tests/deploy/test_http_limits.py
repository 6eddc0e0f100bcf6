"""The production server refuses oversized and slow request heads, over raw sockets.

Limits are enforced by the Gunicorn worker itself (app/core/edge/server_worker.py), so they hold
without a proxy in front. Short timeouts here keep the test quick.
"""

import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from tests.deploy.server import RunningServer, production_server

HEADER_TIMEOUT_SECONDS = 1
KEEPALIVE_SECONDS = 1
MAX_HEADER_BYTES = 8192
MAX_REQUEST_LINE_BYTES = 4096
GUARD_SECONDS = 20  # a socket timeout so a broken limit fails instead of hanging


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    with production_server(
        workers=1,
        LOG_LEVEL="WARNING",
        HTTP_HEADER_TIMEOUT_SECONDS=str(HEADER_TIMEOUT_SECONDS),
        HTTP_MAX_HEADER_BYTES=str(MAX_HEADER_BYTES),
        HTTP_MAX_REQUEST_LINE_BYTES=str(MAX_REQUEST_LINE_BYTES),
        GUNICORN_KEEPALIVE=str(KEEPALIVE_SECONDS),
    ) as running:
        yield running


def _connect(server: RunningServer) -> socket.socket:
    address = urlsplit(server.base_url)
    connection = socket.create_connection((address.hostname, address.port))
    connection.settimeout(GUARD_SECONDS)
    return connection


def _read_until_closed(connection: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (a reset counts as closed)."""
    received = b""
    try:
        while chunk := connection.recv(65536):
            received += chunk
    except ConnectionResetError:
        pass
    return received


def _request(path: str = "/health/live", headers: str = "") -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: test\r\n{headers}\r\n".encode()


def _status(response: bytes) -> int:
    return int(response.split(b" ", 2)[1])


def test_a_head_within_the_limits_is_served(server: RunningServer) -> None:
    with _connect(server) as connection:
        headers = "".join(f"X-Filler-{n}: {'v' * 100}\r\n" for n in range(60))  # ~7 KB
        connection.sendall(_request(headers=headers + "Connection: close\r\n"))
        response = _read_until_closed(connection)

    assert _status(response) == 200


def test_headers_over_the_limit_are_431_and_the_connection_closed(server: RunningServer) -> None:
    with _connect(server) as connection:
        connection.sendall(_request(headers=f"X-Big: {'v' * 64 * 1024}\r\n"))
        response = _read_until_closed(connection)

    assert _status(response) == 431
    assert b"application/problem+json" in response
    assert b'"headers": ["are too large"]' in response


def test_a_header_streamed_without_end_is_cut_off(server: RunningServer) -> None:
    # 16 MB in one header: refused once the unfinished head passes the limits, not buffered.
    with _connect(server) as connection:
        connection.sendall(b"GET /health/live HTTP/1.1\r\nHost: test\r\nX-Big: ")
        sent = 0
        try:
            while sent < 16 * 1024 * 1024:
                connection.sendall(b"v" * 65536)
                sent += 65536
        except (BrokenPipeError, ConnectionResetError):
            pass
        response = _read_until_closed(connection)

    assert sent < 16 * 1024 * 1024 or _status(response) == 431
    assert not response or _status(response) == 431


def test_a_request_line_over_the_limit_is_414(server: RunningServer) -> None:
    with _connect(server) as connection:
        connection.sendall(_request(path="/health/live?" + "q" * 2 * MAX_REQUEST_LINE_BYTES))
        response = _read_until_closed(connection)

    assert _status(response) == 414


def test_a_head_sent_too_slowly_is_408_and_closed(server: RunningServer) -> None:
    with _connect(server) as connection:
        connection.sendall(b"GET /health/live HTTP/1.1\r\nHost: test\r\n")  # and no end
        response = _read_until_closed(connection)

    assert _status(response) == 408


def test_a_connection_that_sends_nothing_is_closed(server: RunningServer) -> None:
    with _connect(server) as connection:
        assert _read_until_closed(connection) == b""


def test_an_idle_keep_alive_connection_is_closed(server: RunningServer) -> None:
    with _connect(server) as connection:
        connection.sendall(_request())
        response = _read_until_closed(connection)  # returns once the idle connection is closed

    assert _status(response) == 200
    assert response.count(b"HTTP/1.1") == 1
