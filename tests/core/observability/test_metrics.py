"""Prometheus metrics, labelled by route template, in one process and across workers."""

import os
import subprocess
import sys
from pathlib import Path

from httpx import AsyncClient
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from app.core.observability import retire_worker_metrics


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


RECYCLED_WORKER = """
from prometheus_client import Counter, Gauge, Histogram
Counter("demo_requests", "Requests seen by one worker.").inc(2)
Histogram("demo_seconds", "Time per request.", buckets=(0.1, 1.0)).observe(0.5)
Gauge("demo_in_flight", "Requests in flight.", multiprocess_mode="livesum").set(1)
import os
print(os.getpid())
"""


def _exposition(directory: Path) -> str:
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(directory))  # type: ignore[no-untyped-call]
    return generate_latest(registry).decode()


def test_a_recycled_worker_leaves_its_sums_and_not_its_files(tmp_path: Path) -> None:
    env = os.environ | {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    pids = [
        int(
            subprocess.run(  # noqa: S603
                [sys.executable, "-c", RECYCLED_WORKER],
                env=env,
                check=True,
                timeout=30,
                capture_output=True,
                text=True,
            ).stdout
        )
        for _ in range(3)
    ]
    before = _exposition(tmp_path)
    assert "demo_requests_total 6.0" in before
    assert 'demo_seconds_bucket{le="1.0"} 3.0' in before

    for pid in pids[:2]:
        retire_worker_metrics(tmp_path, pid)

    after = _exposition(tmp_path)
    assert "demo_requests_total 6.0" in after  # no reset seen by Prometheus
    assert 'demo_seconds_bucket{le="1.0"} 3.0' in after
    assert "demo_seconds_count 3.0" in after
    assert "demo_in_flight 1.0" in after  # only the live worker's gauge is left
    names = sorted(path.name for path in tmp_path.iterdir())
    live = pids[2]
    assert names == sorted(
        [
            "counter_retired.db",
            "histogram_retired.db",
            f"counter_{live}.db",
            f"histogram_{live}.db",
            f"gauge_livesum_{live}.db",
        ]
    )
