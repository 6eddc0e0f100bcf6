"""OpenAPI adjustments so the published contract matches what the API really sends."""

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from app.core.errors import PROBLEM_CONTENT_TYPE


def declare_problem_media_type(app: FastAPI) -> None:
    """Error responses are documented as `application/problem+json` only.

    FastAPI files a response `model` under the route's JSON media type; errors are
    never sent as plain `application/json`, so that duplicate entry is removed.
    """
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            for path_item in schema.get("paths", {}).values():
                for operation in path_item.values():
                    for response in operation.get("responses", {}).values():
                        content = response.get("content", {})
                        if PROBLEM_CONTENT_TYPE in content:
                            content.pop("application/json", None)
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]
