"""Recycled workers leave their request counts and not their metric files.

Gunicorn replaces a worker after `GUNICORN_MAX_REQUESTS`; each worker wrote its samples to
files named after its pid in `PROMETHEUS_MULTIPROC_DIR`. Here one worker is recycled
every 10 requests, five times over: the counts on `/metrics` are all there (no counter reset)
and the directory holds the live worker's files and the retired ones, not six sets.
"""

import re
import time
from pathlib import Path

import httpx

from tests.deploy.server import production_server

RECYCLE_EVERY = 10
REQUESTS = 60  # six workers in turn
ROUTE_COUNT = re.compile(
    r'http_requests_total\{method="GET",route="/health/live",status="200"\} (\S+)'
)


def test_recycled_workers_keep_their_counts_and_leave_no_files(tmp_path: Path) -> None:
    with production_server(
        workers=1,
        GUNICORN_MAX_REQUESTS=str(RECYCLE_EVERY),
        GUNICORN_MAX_REQUESTS_JITTER="0",
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path),
    ) as server:
        answered = 0
        deadline = time.monotonic() + 180  # a new worker boots in about a second
        while answered < REQUESTS and time.monotonic() < deadline:
            try:
                # A new connection each time: a recycled worker closes its own.
                live = httpx.get(f"{server.base_url}/health/live", timeout=5)
            except httpx.TransportError:
                time.sleep(0.05)  # between a worker's exit and its successor's start
                continue
            assert live.status_code == 200
            answered += 1
        assert answered == REQUESTS
        exposition = httpx.get(f"{server.base_url}/metrics", timeout=5).text

    match = ROUTE_COUNT.search(exposition)
    assert match is not None, exposition[:2000]
    # At least the requests answered (the boot's own liveness probes add a few).
    assert float(match.group(1)) >= REQUESTS
    pids = {name.rsplit("_", 1)[-1].removesuffix(".db") for name in _files(tmp_path)}
    assert len(pids - {"retired"}) <= 2, sorted(_files(tmp_path))  # the live one (+ one exiting)
    assert "counter_retired.db" in _files(tmp_path)


def _files(directory: Path) -> list[str]:
    return [path.name for path in directory.iterdir() if path.suffix == ".db"]
