"""OpenAPI adjustments so the published contract matches what the API really sends."""

from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

from app.core.auth import (
    OAUTH2_SCHEME_NAME,
    TOKEN_SCHEME,
    TOKEN_SCHEME_NAME,
    declare_token_scopes,
)
from app.core.errors import PROBLEM_CONTENT_TYPE, uses_database
from app.core.ratelimit import declare_rate_limits

PROBLEM_SCHEMA = {"$ref": "#/components/schemas/Problem"}
HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


def operation_id(route: APIRoute) -> str:
    """The route's name in camelCase (`get_profile` → `getProfile`): the `operationId`, and
    so the function name in clients generated from the document. Stable while the endpoint
    function keeps its name (or the route its `name=`); the committed `openapi.json` shows
    any change in review."""
    first, *rest = route.name.split("_")
    return first + "".join(word[:1].upper() + word[1:] for word in rest)


def _problem(status: HTTPStatus) -> dict[str, Any]:
    return {
        "description": status.phrase,
        "content": {PROBLEM_CONTENT_TYPE: {"schema": PROBLEM_SCHEMA}},
    }


def _document_token_scheme(operation: dict[str, Any]) -> None:
    """Wherever the OAuth2 scheme is accepted, `Token <jwt>` (the same header) is too."""
    security = operation.get("security", [])
    if {OAUTH2_SCHEME_NAME: []} in security:
        at = security.index({OAUTH2_SCHEME_NAME: []}) + 1
        operation["security"] = [*security[:at], {TOKEN_SCHEME_NAME: []}, *security[at:]]


def _complete(operation: dict[str, Any]) -> None:
    _document_token_scheme(operation)
    responses = operation.get("responses", {})
    for response in responses.values():
        content = response.get("content", {})
        if PROBLEM_CONTENT_TYPE in content:
            # FastAPI files a response `model` under the route's media type too (JSON, or
            # an event stream); errors are only ever sent as problem documents.
            for media_type in [key for key in content if key != PROBLEM_CONTENT_TYPE]:
                del content[media_type]
    body_types = operation.get("requestBody", {}).get("content", {})
    # Every operation with a body may meet one that is not text (400) or too large (413).
    for status in (HTTPStatus.BAD_REQUEST, HTTPStatus.REQUEST_ENTITY_TOO_LARGE):
        if body_types:
            responses.setdefault(str(status.value), _problem(status))
    if "application/json" in body_types:  # and the handlers refuse other formats
        status = HTTPStatus.UNSUPPORTED_MEDIA_TYPE
        responses.setdefault(str(status.value), _problem(status))


def _declare_outages(app: FastAPI, paths: dict[str, Any]) -> None:
    """Every operation taking a database session may answer 503 (`app.core.errors._outage`)."""
    status = HTTPStatus.SERVICE_UNAVAILABLE
    for route in iter_route_contexts(app.routes):  # included routers' routes too
        if not isinstance(route.original_route, APIRoute) or not uses_database(route.dependant):
            continue
        path_item = paths.get(route.path_format or "", {})
        for method in route.methods or ():
            if method.lower() in path_item:
                responses = path_item[method.lower()]["responses"]
                responses.setdefault(str(status.value), _problem(status))


def complete_problem_responses(app: FastAPI) -> None:
    """Errors documented as `application/problem+json` only, body errors and outages included."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            paths = schema.get("paths", {})
            for path_item in paths.values():
                for operation in path_item.values():
                    _complete(operation)
            _declare_outages(app, paths)
            declare_rate_limits(app, paths)
            declare_token_scopes(app, paths)
            schemes = schema.get("components", {}).get("securitySchemes", {})
            if OAUTH2_SCHEME_NAME in schemes:
                schemes[TOKEN_SCHEME_NAME] = TOKEN_SCHEME
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]
