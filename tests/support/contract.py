"""Holding every response in the API tests to the published OpenAPI document."""

import re
from typing import Any

from fastapi import FastAPI
from httpx import Response


def _operation(schema: dict[str, Any], method: str, path: str) -> dict[str, Any] | None:
    for template, item in schema["paths"].items():
        pattern = "^" + re.sub(r"\\{[^/]+\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path) and method.lower() in item:
            operation: dict[str, Any] = item[method.lower()]
            return operation
    return None


def check_against_openapi(app: FastAPI, response: Response) -> None:
    """The status is declared for the operation; errors are problem documents.

    Routes a test adds on the fly are not in the document and are not checked.
    """
    request = response.request
    operation = _operation(app.openapi(), request.method, request.url.path)
    if operation is None or response.status_code >= 500:
        return
    declared = operation["responses"]
    status = str(response.status_code)
    assert status in declared, f"{request.method} {request.url.path} answered undeclared {status}"
    if response.status_code >= 400:
        assert response.headers["content-type"] == "application/problem+json"
    elif response.status_code != 204:
        assert "application/json" in declared[status].get("content", {})
