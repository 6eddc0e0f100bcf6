"""One log line per request, with method, path, status, duration and client.

It runs inside the request-id middleware, so the line carries the request's id like
every other line logged while serving it.
"""

import logging
import time

from starlette.types import Receive, Scope, Send

from app.core.asgi import HttpMiddleware, ResponseRecorder

logger = logging.getLogger("app.access")


class AccessLogMiddleware(HttpMiddleware):
    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
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
