"""OpenAPI adjustments so the published contract matches what the API really sends."""

from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI

from app.core.errors import PROBLEM_CONTENT_TYPE

PROBLEM_SCHEMA = {"$ref": "#/components/schemas/Problem"}


def _problem(status: HTTPStatus) -> dict[str, Any]:
    return {
        "description": status.phrase,
        "content": {PROBLEM_CONTENT_TYPE: {"schema": PROBLEM_SCHEMA}},
    }


def _complete(operation: dict[str, Any]) -> None:
    responses = operation.get("responses", {})
    for response in responses.values():
        content = response.get("content", {})
        if PROBLEM_CONTENT_TYPE in content:
            # FastAPI files a response `model` under the route's JSON media type too;
            # errors are never sent as plain `application/json`.
            content.pop("application/json", None)
    body_types = operation.get("requestBody", {}).get("content", {})
    if body_types:  # the body-size guard answers for every operation with a body
        status = HTTPStatus.REQUEST_ENTITY_TOO_LARGE
        responses.setdefault(str(status.value), _problem(status))
    if "application/json" in body_types:  # and the handlers refuse other formats
        status = HTTPStatus.UNSUPPORTED_MEDIA_TYPE
        responses.setdefault(str(status.value), _problem(status))


def complete_problem_responses(app: FastAPI) -> None:
    """Errors documented as `application/problem+json` only, body errors included."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            for path_item in generate().get("paths", {}).values():
                for operation in path_item.values():
                    _complete(operation)
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]
