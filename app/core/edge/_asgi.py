"""Small building blocks shared by the pure-ASGI middleware in this package."""

from starlette.types import ASGIApp, Receive, Scope, Send


class HttpMiddleware:
    """Pure ASGI middleware for HTTP requests; other scopes (lifespan) pass straight through.

    Subclasses implement `handle`. Pure ASGI rather than BaseHTTPMiddleware: no
    per-request task, and streamed bodies are not buffered.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.handle(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError
