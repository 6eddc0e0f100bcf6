"""OpenAPI adjustments so the published contract matches what the API really sends."""

from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI

from app.core.errors import PROBLEM_CONTENT_TYPE

PROBLEM_SCHEMA = {"$ref": "#/components/schemas/Problem"}
# Answered for any operation with a JSON body, by the body-size guard and the handlers.
BODY_STATUSES = (HTTPStatus.REQUEST_ENTITY_TOO_LARGE, HTTPStatus.UNSUPPORTED_MEDIA_TYPE)


def _complete(operation: dict[str, Any]) -> None:
    responses = operation.get("responses", {})
    for response in responses.values():
        content = response.get("content", {})
        if PROBLEM_CONTENT_TYPE in content:
            # FastAPI files a response `model` under the route's JSON media type too;
            # errors are never sent as plain `application/json`.
            content.pop("application/json", None)
    if "application/json" in operation.get("requestBody", {}).get("content", {}):
        for status in BODY_STATUSES:
            responses.setdefault(
                str(status.value),
                {
                    "description": status.phrase,
                    "content": {PROBLEM_CONTENT_TYPE: {"schema": PROBLEM_SCHEMA}},
                },
            )


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
