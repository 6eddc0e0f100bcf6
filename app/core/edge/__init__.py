"""The incoming edge: what every request meets before and after the app's routes.

- `EdgeMiddleware`: request id, security headers, the access line, metrics, and the
  last-resort 500 problem, for every response.
- guards: `TrustedHostMiddleware`, `BodySizeLimitMiddleware` (problems, not bare text).
- `RequestOrigin` / `origin_of`: the client's address and user agent, for audit records.
- `mount_flat`: routers mounted as one flat route table (one match per request).
- OpenAPI: `operation_id` (camelCase operation ids), `complete_problem_responses` (every
  operation documents its problems); `install_docs` serves /docs and /redoc offline.
- `server_worker` (not re-exported): the Gunicorn worker class, with its HTTP limits.
"""

from app.core.edge._docs import INLINE_SCRIPT, install_docs
from app.core.edge._guards import BodySizeLimitMiddleware, TrustedHostMiddleware
from app.core.edge._middleware import EdgeMiddleware
from app.core.edge._openapi import complete_problem_responses, operation_id
from app.core.edge._request_origin import (
    CLIENT_ADDRESS_MAX_LENGTH,
    COMMAND_LINE,
    RequestOrigin,
    origin_of,
)
from app.core.edge._routing import mount_flat
from app.core.edge._security_headers import SecurityHeaders

__all__ = [
    "CLIENT_ADDRESS_MAX_LENGTH",
    "COMMAND_LINE",
    "INLINE_SCRIPT",
    "BodySizeLimitMiddleware",
    "EdgeMiddleware",
    "RequestOrigin",
    "SecurityHeaders",
    "TrustedHostMiddleware",
    "complete_problem_responses",
    "install_docs",
    "mount_flat",
    "operation_id",
    "origin_of",
]
