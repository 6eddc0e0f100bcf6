"""The OpenAPI document is a contract: every error an operation can return is declared."""

from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


def operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]


@pytest.fixture
def schema(app: FastAPI) -> dict[str, Any]:
    return app.openapi()


def test_error_responses_are_problem_documents_only(schema: dict[str, Any]) -> None:
    for method, path, operation in operations(schema):
        for status, response in operation["responses"].items():
            if status.startswith(("4", "5")):
                assert response["content"] == {
                    "application/problem+json": {"schema": PROBLEM_REF}
                }, f"{method} {path} {status}"


def test_fastapi_default_validation_schema_never_appears(schema: dict[str, Any]) -> None:
    assert "HTTPValidationError" not in schema["components"]["schemas"]


def test_operations_with_input_declare_422(schema: dict[str, Any]) -> None:
    for method, path, operation in operations(schema):
        if operation.get("requestBody") or operation.get("parameters"):
            assert "422" in operation["responses"], f"{method} {path}"


@pytest.mark.parametrize(
    ("model", "field"),
    [("NewUser", "username"), ("NewArticle", "title"), ("NewComment", "body")],
)
def test_required_text_is_declared_non_blank(
    schema: dict[str, Any], model: str, field: str
) -> None:
    # A whitespace-only value is a 422, so a client generated from the schema must know.
    assert schema["components"]["schemas"][model]["properties"][field]["pattern"] == r"\S"


def test_authenticated_operations_declare_401(schema: dict[str, Any]) -> None:
    for method, path, operation in operations(schema):
        if operation.get("security"):
            assert "401" in operation["responses"], f"{method} {path}"


def test_operations_loading_by_path_declare_404(schema: dict[str, Any]) -> None:
    for method, path, operation in operations(schema):
        if "{" in path:
            assert "404" in operation["responses"], f"{method} {path}"


def test_optional_authentication_is_marked_as_such(schema: dict[str, Any]) -> None:
    anonymous_allowed = {
        f"{method} {path}"
        for method, path, operation in operations(schema)
        if {} in operation.get("security", [])
    }

    assert anonymous_allowed == {
        "GET /api/articles",
        "GET /api/articles/{slug}",
        "GET /api/articles/{slug}/comments",
        "GET /api/profiles/{username}",
    }
    feed = schema["paths"]["/api/articles/feed"]["get"]
    assert feed["security"] == [{"OAuth2 password": []}, {"Token": []}]


def test_both_auth_schemes_are_published(schema: dict[str, Any]) -> None:
    schemes = schema["components"]["securitySchemes"]

    assert schemes["OAuth2 password"]["flows"]["password"]["tokenUrl"] == "/api/users/token"
    assert schemes["Token"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": schemes["Token"]["description"],
    }


@pytest.mark.parametrize("page", ["/docs", "/redoc", "/openapi.json"])
async def test_documentation_is_served(client: AsyncClient, page: str) -> None:
    response = await client.get(page)

    assert response.status_code == 200
