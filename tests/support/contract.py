"""Holding every response in the API tests to the published OpenAPI document."""

from typing import Any

from fastapi import FastAPI
from httpx import Response

from app.core.errors import path_item_for


def _operation(schema: dict[str, Any], method: str, path: str) -> dict[str, Any] | None:
    operation: dict[str, Any] | None = (path_item_for(schema, path) or {}).get(method.lower())
    return operation


def check_against_openapi(app: FastAPI, response: Response) -> None:
    """The status is declared for the operation; errors are problem documents.

    Routes a test adds on the fly are not in the document and are not checked, nor is
    the 500 of an unexpected error; a 503 (database outage) must be declared.
    """
    request = response.request
    operation = _operation(app.openapi(), request.method, request.url.path)
    if operation is None or response.status_code == 500:
        return
    declared = operation["responses"]
    status = str(response.status_code)
    assert status in declared, f"{request.method} {request.url.path} answered undeclared {status}"
    if response.status_code >= 400:
        assert response.headers["content-type"] == "application/problem+json"
    elif response.status_code != 204:
        assert "application/json" in declared[status].get("content", {})
