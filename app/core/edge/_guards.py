"""Request guards at the edge: trusted Host headers and a body size limit.

Both answer with the application's problem format, like every other error.
"""

from http import HTTPStatus

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.edge._asgi import HttpMiddleware
from app.core.errors import problem_response
from app.core.request_id import current_request_id


class TrustedHostMiddleware(HttpMiddleware):
    """Rejects requests whose Host is not listed ("*.x.com" allows subdomains of x.com)."""

    def __init__(self, app: ASGIApp, allowed_hosts: list[str]) -> None:
        super().__init__(app)
        self.exact = {host.lower() for host in allowed_hosts if not host.startswith("*.")}
        self.suffixes = tuple(host[1:].lower() for host in allowed_hosts if host.startswith("*."))

    def _allowed(self, host: str) -> bool:
        return host in self.exact or (bool(self.suffixes) and host.endswith(self.suffixes))

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope["headers"])
        host = headers.get(b"host", b"").decode("latin-1").rsplit(":", 1)[0].lower()
        if self._allowed(host):
            await self.app(scope, receive, send)
            return
        response = problem_response(
            HTTPStatus.BAD_REQUEST,
            "The Host header is not one this service answers to.",
            errors={"host": ["is not allowed"]},
            request_id=current_request_id(),
        )
        await response(scope, receive, send)


class BodySizeLimitMiddleware(HttpMiddleware):
    """413 for bodies over the limit: declared by Content-Length, or streamed past it."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        super().__init__(app)
        self.max_bytes = max_bytes

    def _too_large(self) -> ASGIApp:
        return problem_response(
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            f"The request body is larger than {self.max_bytes} bytes.",
            errors={"body": [f"is larger than {self.max_bytes} bytes"]},
            request_id=current_request_id(),
        )

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit():
            if int(declared) > self.max_bytes:
                await self._too_large()(scope, receive, send)
                return
            # The server delivers exactly the declared length: nothing to count.
            await self.app(scope, receive, send)
            return
        if b"transfer-encoding" not in headers:  # no body at all (most GETs)
            await self.app(scope, receive, send)
            return
        received = 0
        rejected = False

        async def counting_receive() -> Message:
            # Past the limit, answer 413 at once and tell the app the client went away:
            # raising here would be reported by the framework as a malformed body.
            nonlocal received, rejected
            message = await receive()
            if message["type"] == "http.request" and not rejected:
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    rejected = True
                    await self._too_large()(scope, receive, send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not rejected:  # the 413 has been sent; the app's answer is dropped
                await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not rejected:
                raise
