"""Logs, metrics, health and traces.

- `configure_logging` / `logging_config`: JSON or console lines carrying the request id
  (`JsonFormatter`, `ConsoleFormatter`: a client's control characters never break a line).
- `metrics_router` (`/metrics`, Prometheus, multi-process) and `RequestMetrics`, fed by
  the edge; `retire_worker_metrics`, run by Gunicorn's master as a worker exits, folds
  the dead worker's files so the directory does not grow with recycling.
- `health_router`: `/health/live` (the process answers) and `/health/ready` (the
  database answers).
- `tracing` (module `app.core.observability.tracing`, imported only when OTEL_ENABLED):
  OpenTelemetry spans for requests, statements and outgoing calls.
"""

from app.core.observability._health import router as health_router
from app.core.observability._logging import (
    ConsoleFormatter,
    JsonFormatter,
    configure_logging,
    logging_config,
)
from app.core.observability._metrics import RequestMetrics
from app.core.observability._metrics import router as metrics_router
from app.core.observability._retired_workers import retire_worker_metrics

__all__ = [
    "ConsoleFormatter",
    "JsonFormatter",
    "RequestMetrics",
    "configure_logging",
    "health_router",
    "logging_config",
    "metrics_router",
    "retire_worker_metrics",
]
