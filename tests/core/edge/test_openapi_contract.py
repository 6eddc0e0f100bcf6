"""The OpenAPI document is a contract: every error an operation can return is declared."""

import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from httpx import AsyncClient

from app.core.edge import operation_id
from app.core.schemas import NON_BLANK_PATTERN
from app.core.text import NUL_FREE_PATTERN

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
    components = schema["components"]["schemas"]
    standard = components["Problem"]["properties"]
    for method, path, operation in operations(schema):
        for status, response in operation["responses"].items():
            if status.startswith(("4", "5")):
                where = f"{method} {path} {status}"
                assert list(response["content"]) == ["application/problem+json"], where
                reference = response["content"]["application/problem+json"]["schema"]
                if reference != PROBLEM_REF:  # a Problem with extension members
                    named = components[reference["$ref"].rsplit("/", 1)[1]]["properties"]
                    assert named.items() >= standard.items(), where


def test_fastapi_default_validation_schema_never_appears(schema: dict[str, Any]) -> None:
    assert "HTTPValidationError" not in schema["components"]["schemas"]


def test_operations_with_input_declare_422(schema: dict[str, Any]) -> None:
    for method, path, operation in operations(schema):
        if operation.get("requestBody") or operation.get("parameters"):
            assert "422" in operation["responses"], f"{method} {path}"


@pytest.mark.parametrize(
    ("model", "field"),
    [("NewUser", "email"), ("NewThing", "name")],
)
def test_required_text_is_declared_non_blank(
    schema: dict[str, Any], model: str, field: str
) -> None:
    # A whitespace-only value is a 422, so a client generated from the schema must know.
    declared = schema["components"]["schemas"][model]["properties"][field]["pattern"]
    assert declared == NON_BLANK_PATTERN
    assert re.search(declared, " x ")
    assert not re.search(declared, " \t")
    assert not re.search(declared, "x\x00")


def test_text_parameters_declare_that_nul_is_refused(schema: dict[str, Any]) -> None:
    for method, path, operation in operations(schema):
        for parameter in operation.get("parameters", []):
            for declared in parameter["schema"].get("anyOf", [parameter["schema"]]):
                if declared.get("type") == "string":
                    assert declared["pattern"] == NUL_FREE_PATTERN, f"{method} {path}"


@pytest.mark.parametrize(
    ("model", "field"),
    [("UserChanges", "email"), ("UserChanges", "username"), ("UserChanges", "password")],
)
def test_partial_update_fields_are_optional_but_not_nullable(
    schema: dict[str, Any], model: str, field: str
) -> None:
    component = schema["components"]["schemas"][model]
    declared = component["properties"][field]
    assert "anyOf" not in declared
    assert "default" not in declared
    assert field not in component.get("required", [])


def test_authenticated_operations_declare_401(schema: dict[str, Any]) -> None:
    for method, path, operation in operations(schema):
        if operation.get("security"):
            assert "401" in operation["responses"], f"{method} {path}"


def test_operations_using_the_database_declare_503(schema: dict[str, Any]) -> None:
    # Every API operation takes a session; the liveness probe does no I/O at all.
    for method, path, operation in operations(schema):
        if path.startswith("/api/") or path == "/health/ready":
            assert "503" in operation["responses"], f"{method} {path}"
    assert "503" not in schema["paths"]["/health/live"]["get"]["responses"]


def test_operations_loading_by_path_declare_404(schema: dict[str, Any]) -> None:
    for method, path, operation in operations(schema):
        if "{" in path:
            assert "404" in operation["responses"], f"{method} {path}"


def test_optional_authentication_is_marked_as_such(schema: dict[str, Any]) -> None:
    """A route that serves anyone but says more to a signed-in caller (OptionalUser) is
    published with an anonymous alternative beside the token schemes; one that requires a
    token is not (the domain's own are checked in its tests: tests/conduit/)."""
    anonymous_allowed = {
        f"{method} {path}"
        for method, path, operation in operations(schema)
        if {} in operation.get("security", [])
    }
    assert "GET /probe/things" in anonymous_allowed
    assert "GET /api/user" not in anonymous_allowed
    assert schema["paths"]["/api/user"]["get"]["security"] == [
        {"OAuth2 password": []},
        {"Token": []},
    ]


def test_both_auth_schemes_are_published(schema: dict[str, Any]) -> None:
    schemes = schema["components"]["securitySchemes"]

    assert schemes["OAuth2 password"]["flows"]["password"]["tokenUrl"] == "/api/users/token"
    assert schemes["Token"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": schemes["Token"]["description"],
    }


@pytest.mark.parametrize(
    ("name", "expected"),
    [("get_thing", "getThing"), ("feed", "feed"), ("update_current_user", "updateCurrentUser")],
)
def test_operation_id_is_the_route_name_in_camel_case(name: str, expected: str) -> None:
    route = APIRoute("/x", lambda: None, name=name)

    assert operation_id(route) == expected


def test_operation_ids_are_unique_readable_and_come_from_route_names(
    app: FastAPI, schema: dict[str, Any]
) -> None:
    # Generated clients name their functions after them: `getCurrentUser`, not
    # `get_current_user_api_user_get`.
    ids = [operation["operationId"] for _, _, operation in operations(schema)]
    assert len(ids) == len(set(ids)), "two routes share a name: give one `name=`"
    assert all(re.fullmatch(r"[a-z][A-Za-z0-9]*", id_) for id_ in ids), ids
    for route in app.routes:
        if isinstance(route, APIRoute) and route.include_in_schema:
            for method in route.methods or ():
                declared = schema["paths"][route.path_format][method.lower()]["operationId"]
                assert declared == operation_id(route), f"{method} {route.path_format}"


@pytest.mark.parametrize("page", ["/docs", "/redoc", "/openapi.json"])
async def test_documentation_is_served(client: AsyncClient, page: str) -> None:
    response = await client.get(page)

    assert response.status_code == 200
