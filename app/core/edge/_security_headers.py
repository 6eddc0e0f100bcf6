"""Security headers on every response; HSTS only on HTTPS (as seen behind a proxy).

The edge (app/core/edge/_middleware.py) adds them to each response that does not set them itself.
"""

from starlette.types import Scope

# The API serves JSON only: nothing may be framed, scripted or loaded from it.
API_CSP = "default-src 'none'; frame-ancestors 'none'"
# Swagger UI and ReDoc: their files are served by the app (app/core/edge/_docs.py), so everything
# comes from this origin. Besides: images as data: URIs (Swagger UI's icons), inline styles
# (ReDoc injects its CSS at run time) and ReDoc's search worker from a blob: it builds. No
# script-src: scripts fall back to 'self'; the docs pages add the hash of their inline script.
DOCS_CSP = (
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "worker-src 'self' blob:; frame-ancestors 'none'"
)
DOCS_PATHS = ("/docs", "/redoc")

Headers = list[tuple[bytes, bytes]]


def _headers(csp: str) -> Headers:
    return [
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"no-referrer"),
        (b"content-security-policy", csp.encode()),
    ]


class SecurityHeaders:
    """The headers for a request, encoded once at start-up rather than per response."""

    def __init__(self, hsts_seconds: int = 0) -> None:
        self.api = _headers(API_CSP)
        self.docs = _headers(DOCS_CSP)
        hsts = [(b"strict-transport-security", b"max-age=%d; includeSubDomains" % hsts_seconds)]
        self.hsts = hsts if hsts_seconds else []

    def for_scope(self, scope: Scope) -> Headers:
        headers = self.docs if scope["path"].startswith(DOCS_PATHS) else self.api
        if self.hsts and scope.get("scheme") == "https":
            return headers + self.hsts
        return headers
