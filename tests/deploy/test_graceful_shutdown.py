"""SIGTERM lets in-flight requests finish, disposes the pool, and exits cleanly."""

import json
import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.deploy.server import production_server

GRACEFUL_TIMEOUT = 10


def test_sigterm_drains_in_flight_requests() -> None:
    with (
        production_server(
            workers=1,
            APP_MODULE="tests.deploy.slow_app:app",
            GUNICORN_GRACEFUL_TIMEOUT=str(GRACEFUL_TIMEOUT),
        ) as server,
        ThreadPoolExecutor(max_workers=1) as pool,
    ):
        in_flight = pool.submit(httpx.get, f"{server.base_url}/slow", timeout=30)
        time.sleep(1)  # the request is being served

        signalled = time.monotonic()
        os.kill(server.process.pid, signal.SIGTERM)
        response = in_flight.result(timeout=GRACEFUL_TIMEOUT + 5)
        exit_code = server.process.wait(timeout=GRACEFUL_TIMEOUT + 5)
        elapsed = time.monotonic() - signalled
        output = server.output()

    assert response.status_code == 200
    assert response.json() == {"finished": True}
    assert exit_code == 0
    assert elapsed < GRACEFUL_TIMEOUT
    assert "database pool disposed" in output
    # uvloop closing Gunicorn's socket wrapper twice used to log this on every stop.
    assert "Error while closing socket" not in output


def test_json_log_lines_carry_no_terminal_colour_codes() -> None:
    with production_server(workers=1) as server:
        os.kill(server.process.pid, signal.SIGTERM)
        server.process.wait(timeout=GRACEFUL_TIMEOUT + 5)
        lines = server.output().splitlines()

    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    assert any(entry["logger"] == "uvicorn.error" for entry in entries)
    assert [entry for entry in entries if "color_message" in entry] == []
    assert "\x1b[" not in "".join(lines)
