"""Outgoing HTTP: one pooled `httpx.AsyncClient` per process, bounded calls, retries.

- `client.create_http_client(settings)`: built in the lifespan (API) or the worker.
- `dependency.HttpClientDep`: a route's access to it (`app.dependency_overrides` swaps it).
- `calls.send(...)`: one call with timeouts, retries for idempotent methods only, a total
  deadline, and errors as `UpstreamUnavailable` (502) / `UpstreamTimeout` (504).
"""
