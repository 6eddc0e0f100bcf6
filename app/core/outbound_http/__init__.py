"""Outgoing HTTP: one pooled `httpx.AsyncClient` per process, bounded calls, retries.

- `create_http_client(settings)`: built in the lifespan (API) or the worker.
- `HttpClientDep`: a route's access to it (`app.dependency_overrides` swaps it).
- `send(...)`: one call with timeouts, retries for idempotent methods only, a total
  deadline, and errors as `UpstreamUnavailable` (502) / `UpstreamTimeout` (504).
"""

from app.core.outbound_http._calls import UpstreamTimeout, UpstreamUnavailable, send
from app.core.outbound_http._client import create_http_client
from app.core.outbound_http._dependency import HttpClientDep, get_http_client

__all__ = [
    "HttpClientDep",
    "UpstreamTimeout",
    "UpstreamUnavailable",
    "create_http_client",
    "get_http_client",
    "send",
]
