"""The 429 declared, with its headers, on every operation whose dependencies limit its rate."""

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from app.core.errors import PROBLEM_CONTENT_TYPE
from app.core.ratelimit._limiter import RATE_LIMITING_DEPENDENCIES

_HEADERS = {
    "Retry-After": "Seconds until the window resets.",
    "RateLimit-Policy": 'draft-ietf-httpapi-ratelimit-headers-09: `"<name>";q=<quota>;w=<secs>`.',
    "RateLimit": 'draft-ietf-httpapi-ratelimit-headers-09: `"<name>";r=<left>;t=<secs>`.',
}


def _limited(dependant: Dependant) -> bool:
    return any(
        dependency.call in RATE_LIMITING_DEPENDENCIES or _limited(dependency)
        for dependency in dependant.dependencies
    )


def declare_rate_limits(app: FastAPI, paths: dict[str, Any]) -> None:
    status = HTTPStatus.TOO_MANY_REQUESTS
    headers = {
        name: {"description": text, "schema": {"type": "string"}} for name, text in _HEADERS.items()
    }
    for route in iter_route_contexts(app.routes):
        if not isinstance(route.original_route, APIRoute) or not _limited(route.dependant):
            continue
        path_item = paths.get(route.path_format or "", {})
        for method in route.methods or ():
            if method.lower() in path_item:
                path_item[method.lower()]["responses"][str(status.value)] = {
                    "description": status.phrase,
                    "headers": headers,
                    "content": {
                        PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}
                    },
                }
