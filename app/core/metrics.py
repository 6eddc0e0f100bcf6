"""Prometheus metrics: requests by route template and status, latency, in-flight, pool.

Under Gunicorn, workers are separate processes: with `PROMETHEUS_MULTIPROC_DIR` set
(docker/start.sh sets it) every worker writes its samples to files there and /metrics
aggregates them, whichever worker answers the scrape.
"""

import os
import time

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
from starlette.types import Receive, Scope, Send

from app.core.asgi import HttpMiddleware, ResponseRecorder

UNMATCHED_ROUTE = "<unmatched>"  # a fixed label: raw paths would explode cardinality

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


def _route_template(scope: Scope) -> str:
    """ "/api/articles/my-post/comments/7" -> "/api/articles/{slug}/comments/{comment_id}".

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


class MetricsMiddleware(HttpMiddleware):
    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        response = ResponseRecorder(send)
        IN_FLIGHT.inc()
        try:
            await self.app(scope, receive, response)
        finally:
            IN_FLIGHT.dec()
            route = _route_template(scope)
            LATENCY.labels(scope["method"], route).observe(time.perf_counter() - started)
            REQUESTS.labels(scope["method"], route, str(response.status)).inc()
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
