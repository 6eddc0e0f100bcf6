"""Prometheus metrics: requests by route template and status, latency, in-flight, pool.

Under Gunicorn, workers are separate processes: with `PROMETHEUS_MULTIPROC_DIR` set
(docker/start.sh sets it) every worker writes its samples to files there and /metrics
aggregates them, whichever worker answers the scrape.
"""

import os
import time
from typing import Any

from fastapi import APIRouter, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import Scope

UNMATCHED_ROUTE = "<unmatched>"  # a fixed label: raw paths would explode cardinality
# Likewise for methods: anything a client invents is counted as one.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
SAMPLE_SECONDS = 1.0  # gauges (in flight, pool) are sampled at most this often per worker

REQUESTS = Counter("http_requests_total", "Requests answered.", ["method", "route", "status"])
LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time to answer a request.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
IN_FLIGHT = Gauge("http_requests_in_flight", "Requests being served.", multiprocess_mode="livesum")
POOL_CHECKED_OUT = Gauge(
    "db_pool_connections_in_use", "Pooled connections lent out.", multiprocess_mode="livesum"
)
POOL_OPEN = Gauge(
    "db_pool_connections_open", "Connections held by the pools.", multiprocess_mode="livesum"
)

router = APIRouter()


def route_template(scope: Scope) -> str:
    """ "/api/admin/users/bob/role" -> "/api/admin/users/{username}/role".

    Built from the path and the matched path parameters (public ASGI scope data), as
    included routers only know their own part of the path.
    """
    if "route" not in scope:
        return UNMATCHED_ROUTE
    names = {str(value): name for name, value in scope.get("path_params", {}).items()}
    segments = scope["path"].split("/")  # already percent-decoded, like the parameters
    return "/".join(f"{{{names[s]}}}" if s in names else s for s in segments)


def _observe_pool(engine: AsyncEngine | None) -> None:
    pool = getattr(engine, "pool", None)
    if pool is not None and hasattr(pool, "checkedout"):
        POOL_CHECKED_OUT.set(pool.checkedout())
        POOL_OPEN.set(pool.checkedin() + pool.checkedout())


class RequestMetrics:
    """What the edge (app/core/edge/_middleware.py) records for each request.

    Labelled children are kept, since `labels()` takes a lock and checks every value.
    Gauges are sampled about once a second (each gauge write is a locked write to the
    multi-process file): a scrape, every few seconds, sees a value at most a second old.
    """

    def __init__(self) -> None:
        self._counters: dict[tuple[str, str, int], Any] = {}
        self._histograms: dict[tuple[str, str], Any] = {}
        self._sampled_at = 0.0
        self.in_flight = 0

    def started(self) -> None:
        self.in_flight += 1

    def finished(self, scope: Scope, status: int, duration_seconds: float) -> None:
        self.in_flight -= 1
        method = scope["method"] if scope["method"] in KNOWN_METHODS else "OTHER"
        route = route_template(scope)
        histogram = self._histograms.get((method, route))
        if histogram is None:
            histogram = self._histograms[method, route] = LATENCY.labels(method, route)
        histogram.observe(duration_seconds)
        counter = self._counters.get((method, route, status))
        if counter is None:
            counter = self._counters[method, route, status] = REQUESTS.labels(
                method, route, str(status)
            )
        counter.inc()
        now = time.monotonic()
        if now - self._sampled_at >= SAMPLE_SECONDS:
            self._sampled_at = now
            IN_FLIGHT.set(self.in_flight)  # this request counted out, the others still in
            _observe_pool(getattr(scope["app"].state, "engine", None))


def _registry() -> CollectorRegistry:
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    registry = CollectorRegistry()
    MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return registry


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    _observe_pool(getattr(request.app.state, "engine", None))
    return Response(generate_latest(_registry()), media_type=CONTENT_TYPE_LATEST)
