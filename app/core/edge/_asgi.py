"""Small building blocks shared by the pure-ASGI middleware in this package."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class ResponseRecorder:
    """Wraps `send` to remember whether and with which status the app answered."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self.started = False
        self.status = 500  # what the client gets if the app fails before answering

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
            self.status = message["status"]
        await self._send(message)


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
