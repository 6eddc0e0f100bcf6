"""Prometheus metrics, labelled by route template, in one process and across workers."""

import os
import subprocess
import sys
from pathlib import Path

from httpx import AsyncClient
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector


async def test_metrics_use_route_templates_not_raw_paths(client: AsyncClient) -> None:
    await client.get("/probe/things/somebody")
    await client.get("/api/no/such/route")

    text = (await client.get("/metrics")).text

    assert 'route="/probe/things/{name}"' in text
    assert 'route="<unmatched>"' in text
    assert "/probe/things/somebody" not in text
    assert "http_request_duration_seconds_bucket" in text
    assert "http_requests_in_flight" in text
    assert "db_pool_connections_in_use" in text


async def test_metrics_are_not_in_the_public_schema(client: AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()

    assert "/metrics" not in schema["paths"]


WORKER = """
from prometheus_client import Counter
Counter("demo_requests", "Requests seen by one worker.").inc(2)
"""


def test_samples_from_several_worker_processes_are_summed(tmp_path: Path) -> None:
    # What Gunicorn workers do: separate processes, each writing to the shared directory.
    env = os.environ | {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    for _ in range(2):
        subprocess.run([sys.executable, "-c", WORKER], env=env, check=True, timeout=30)  # noqa: S603

    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(tmp_path))  # type: ignore[no-untyped-call]

    assert "demo_requests_total 4.0" in generate_latest(registry).decode()
