"""The container's own start command serves the app with several workers."""

import httpx

from tests.deploy.server import production_server


def test_start_script_serves_ready_with_two_workers() -> None:
    with production_server(workers=2) as server:
        ready = httpx.get(f"{server.base_url}/health/ready", timeout=5)
        metrics = httpx.get(f"{server.base_url}/metrics", timeout=5)
        workers = {
            httpx.get(f"{server.base_url}/health/live", timeout=5).headers.get("x-request-id")
            for _ in range(5)
        }

    assert ready.status_code == 200
    assert ready.json() == {"status": "ok"}
    assert metrics.status_code == 200
    assert len(workers) == 5  # every response carries its own request id
