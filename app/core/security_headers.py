"""Security headers on every response; HSTS only on HTTPS (as seen behind a proxy)."""

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.asgi import HttpMiddleware

# The API serves JSON only: nothing may be framed, scripted or loaded from it.
API_CSP = "default-src 'none'; frame-ancestors 'none'"
# Swagger UI and ReDoc: their files are served by the app (app/core/docs.py), so everything
# comes from this origin. Besides: images as data: URIs (Swagger UI's icons), inline styles
# (ReDoc injects its CSS at run time) and ReDoc's search worker from a blob: it builds. No
# script-src: scripts fall back to 'self'; the docs pages add the hash of their inline script.
DOCS_CSP = (
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "worker-src 'self' blob:; frame-ancestors 'none'"
)
DOCS_PATHS = ("/docs", "/redoc")


class SecurityHeadersMiddleware(HttpMiddleware):
    def __init__(self, app: ASGIApp, hsts_seconds: int = 0) -> None:
        super().__init__(app)
        self.hsts = f"max-age={hsts_seconds}; includeSubDomains" if hsts_seconds else None

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        is_docs = scope["path"].startswith(DOCS_PATHS)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Referrer-Policy", "no-referrer")
                headers.setdefault("Content-Security-Policy", DOCS_CSP if is_docs else API_CSP)
                if self.hsts and scope.get("scheme") == "https":
                    headers.setdefault("Strict-Transport-Security", self.hsts)
            await send(message)

        await self.app(scope, receive, send_with_headers)
