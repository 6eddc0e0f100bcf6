"""`HttpClientDep`: the process's outgoing HTTP client, for routes that call out.

Resolved only by the routes that declare it: no other request pays for it. Tests replace
it with `app.dependency_overrides[get_http_client] = ...`.
"""

from typing import Annotated

import httpx
from fastapi import Depends, Request


async def get_http_client(request: Request) -> httpx.AsyncClient:
    client: httpx.AsyncClient = request.app.state.http_client
    return client


HttpClientDep = Annotated[httpx.AsyncClient, Depends(get_http_client)]
