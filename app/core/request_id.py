"""Request ids: taken from a well-formed incoming `X-Request-ID` or generated.

The id lives in a context variable so log records and problem bodies of the same
request can carry it; the edge (app/core/edge/_middleware.py) sets it and echoes it on the response.
"""

import os
import re
from collections.abc import Callable
from contextvars import ContextVar

from starlette.types import Scope

REQUEST_ID_HEADER = "X-Request-ID"
# Accept only short, printable ids so a client cannot inject log lines or huge headers.
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)


def current_request_id() -> str | None:
    return request_id_var.get()


# Set by app/core/observability/tracing.py while tracing is on (None otherwise, the
# default): answers the current trace id, which problem bodies carry next to the request id.
trace_id_source: Callable[[], str | None] | None = None


def current_trace_id() -> str | None:
    return None if trace_id_source is None else trace_id_source()


def incoming_or_new(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            candidate: str = value.decode("latin-1")
            if _VALID_REQUEST_ID.fullmatch(candidate):
                return candidate
            break
    return os.urandom(16).hex()  # 128 random bits, as uuid4 has, without building a UUID
