"""The outgoing HTTP client: one per process, so connections are pooled and reused.

Every bound is explicit (httpx's defaults are a 5 s timeout for everything and 100
connections): connect, read, write and pool-wait timeouts and the pool's limits come from
settings. Redirects are never followed (a redirect is an answer: callers decide) and the
environment's proxy variables are ignored, so where a call goes is what the code says.
"""

import httpx

from app.core.config import Settings


def create_http_client(settings: Settings, **options: object) -> httpx.AsyncClient:
    timeout = httpx.Timeout(
        connect=settings.http_client_connect_timeout_seconds,
        read=settings.http_client_read_timeout_seconds,
        write=settings.http_client_write_timeout_seconds,
        pool=settings.http_client_pool_timeout_seconds,
    )
    limits = httpx.Limits(
        max_connections=settings.http_client_max_connections,
        max_keepalive_connections=settings.http_client_max_keepalive_connections,
    )
    return httpx.AsyncClient(
        timeout=timeout,
        limits=limits,
        follow_redirects=False,
        trust_env=False,
        headers={"User-Agent": settings.app_name},
        **options,  # type: ignore[arg-type]
    )
