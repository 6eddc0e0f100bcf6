"""One log line per request, with method, path, status, duration and client.

Written by the edge (app/core/edge/_middleware.py) while the request id is still set, so the line
carries the request's id like every other line logged while serving it.
"""

import logging

from starlette.types import Scope

# A stable name rather than the module's: log pipelines select the access lines by it.
logger = logging.getLogger("app.access")


def log_access(scope: Scope, status: int, duration_seconds: float) -> None:
    if not logger.isEnabledFor(logging.INFO):
        return
    duration_ms = round(duration_seconds * 1000, 2)
    client = scope.get("client")
    logger.info(
        "%s %s %s %.2fms",
        scope["method"],
        scope["path"],
        status,
        duration_ms,
        extra={
            "method": scope["method"],
            "path": scope["path"],
            "status": status,
            "duration_ms": duration_ms,
            "client": f"{client[0]}:{client[1]}" if client else None,
        },
    )
