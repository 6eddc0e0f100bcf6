"""Text PostgreSQL cannot store is a 422, in every field and parameter, never a 500.

The walk over the OpenAPI document keeps new operations honest: each one with a body
needs a valid example in its feature's tests (`examples.py`, see tests/support/examples.py),
and then every string in it is tried with a NUL character.
"""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import text, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.text import NUL_MESSAGE
from app.deps import SessionDep
from app.identity.users.models import User
from tests.support.examples import form_operations, path_values, valid_bodies
from tests.support.users import RegisteredUser, register

NUL = "a\x00b"
Operation = tuple[str, str]

# Every operation with a body, with a valid example of it (each feature's own examples).
VALID_BODIES = valid_bodies()
FORM_OPERATIONS = form_operations()


def _operations(app: FastAPI) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in app.openapi()["paths"].items():
        for method, operation in item.items():
            if path.startswith("/api/") and isinstance(operation, dict):
                yield method.upper(), path, operation


def _string_leaves(value: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, str):
        yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _string_leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _string_leaves(item, (*path, index))


def _with_nul(body: dict[str, Any], leaf: tuple[Any, ...]) -> dict[str, Any]:
    copy: Any = {key: (dict(v) if isinstance(v, dict) else v) for key, v in body.items()}
    target = copy
    for key in leaf[:-1]:
        target[key] = dict(target[key]) if isinstance(target[key], dict) else list(target[key])
        target = target[key]
    target[leaf[-1]] = NUL
    return dict(copy)


def _url(path: str, values: dict[str, str], override: dict[str, str] | None = None) -> str:
    return path.format(**(values | (override or {})))


@pytest.fixture
async def author_and_values(
    client: AsyncClient, session: AsyncSession
) -> tuple[RegisteredUser, dict[str, str]]:
    """An admin (so the admin operations reach validation too) and what the paths name."""
    author = await register(client)
    await session.execute(update(User).where(User.username == author.username).values(role="admin"))
    return author, await path_values(client, author)


def test_every_operation_with_a_body_has_an_example(app: FastAPI) -> None:
    with_body = {(method, path) for method, path, op in _operations(app) if "requestBody" in op}
    assert with_body == set(VALID_BODIES)


async def test_nul_in_any_body_string_is_a_field_keyed_422(
    client: AsyncClient, author_and_values: tuple[RegisteredUser, dict[str, str]]
) -> None:
    author, values = author_and_values
    tried = 0
    for (method, path), body in VALID_BODIES.items():
        for leaf in _string_leaves(body):
            payload = _with_nul(body, leaf)
            url, form = (
                _url(path, values),
                (method, path) in FORM_OPERATIONS,
            )
            response = await client.request(
                method,
                url,
                headers=author.headers,
                data=payload if form else None,
                json=None if form else payload,
            )
            where = f"{method} {path} {leaf}"
            assert response.status_code == 422, where
            errors = response.json()["errors"]
            # Keyed by the string's own field, or by the free-form object that holds it (a
            # passkey's `credential`): the innermost of the two the answer names.
            named = [part for part in leaf if isinstance(part, str) and part in errors]
            assert named, where
            assert NUL_MESSAGE in errors[named[-1]], where
            tried += 1
    assert tried > 0  # the walk found strings to try (how many depends on the features)


async def test_nul_in_any_string_parameter_is_a_field_keyed_422(
    app: FastAPI, client: AsyncClient, author_and_values: tuple[RegisteredUser, dict[str, str]]
) -> None:
    author, values = author_and_values
    tried = 0
    for method, path, operation in _operations(app):
        for parameter in operation.get("parameters", []):
            schemas = parameter["schema"].get("anyOf", [parameter["schema"]])
            if not any(schema.get("type") == "string" for schema in schemas):
                continue
            name, where = parameter["name"], f"{method} {path} {parameter['name']}"
            if parameter["in"] == "path":
                url, params = _url(path, values, {name: "a%00b"}), {}
            else:
                url, params = _url(path, values), {name: NUL}
            response = await client.request(method, url, params=params, headers=author.headers)
            assert response.status_code == 422, where
            assert response.json()["errors"][name] == [NUL_MESSAGE], where
            tried += 1
    assert tried > 0  # the walk found parameters to try


async def test_a_value_validation_missed_is_still_a_422(
    app: FastAPI, client: AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    @app.get("/unguarded")
    async def unguarded(value: str, session: SessionDep) -> None:
        await session.execute(text("SELECT CAST(:value AS text)"), {"value": value})

    response = await client.get("/unguarded", params={"value": NUL})

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"] == {"request": ["holds a value that cannot be stored"]}
    assert "22021" in caplog.text


async def test_other_database_errors_stay_500(app: FastAPI, client: AsyncClient) -> None:
    @app.get("/divide")
    async def divide(session: SessionDep) -> None:
        await session.execute(text("SELECT 1 / 0"))

    response = await client.get("/divide")

    assert response.status_code == 500
    assert "division" not in response.text
