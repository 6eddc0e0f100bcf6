"""One log line per request, with method, path, status, duration and client.

It runs inside the request-id middleware, so the line carries the request's id like
every other line logged while serving it.
"""

import logging
import time

from starlette.types import ASGIApp, Receive, Scope, Send

from app.core.asgi import ResponseRecorder

logger = logging.getLogger("app.access")


class AccessLogMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        response = ResponseRecorder(send)
        try:
            await self.app(scope, receive, response)
        finally:
            status = response.status
            duration_ms = round((time.perf_counter() - started) * 1000, 2)
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
