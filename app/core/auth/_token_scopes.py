"""The OpenAPI side of scoped access: which operations a personal access token may call.

A route says the scope it needs through a dependency whose callable carries `token_scope`
(`app.deps.ScopedUser`); this walks each operation's dependencies for them and publishes
`x-token-scopes` (what a token needs, any one of them), and declares the 403 a token
without it gets. An authenticated operation without `x-token-scopes` takes only a
signed-in session (a token gets 403 too).
"""

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from app.core.errors import PROBLEM_CONTENT_TYPE

TOKEN_SCOPES_KEY = "x-token-scopes"  # noqa: S105 (an OpenAPI extension name)


def _scopes(dependant: Dependant) -> set[str]:
    found: set[str] = set()
    for dependency in dependant.dependencies:
        scope = getattr(dependency.call, "token_scope", None)
        if isinstance(scope, str):
            found.add(str(scope))
        found |= _scopes(dependency)
    return found


def declare_token_scopes(app: FastAPI, paths: dict[str, Any]) -> None:
    status = HTTPStatus.FORBIDDEN
    for route in iter_route_contexts(app.routes):
        if not isinstance(route.original_route, APIRoute):
            continue
        scopes = sorted(_scopes(route.dependant))
        path_item = paths.get(route.path_format or "", {})
        for method in route.methods or ():
            operation = path_item.get(method.lower())
            if operation is None or not operation.get("security"):
                continue
            if scopes:
                operation[TOKEN_SCOPES_KEY] = scopes
            operation["responses"].setdefault(
                str(status.value),
                {
                    "description": status.phrase,
                    "content": {
                        PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}
                    },
                },
            )
