"""Registration, login and the current user, through the HTTP API."""

import re

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from tests.support.users import PASSWORD, register

PROBLEM = "application/problem+json"


def user_body(**fields: object) -> dict[str, object]:
    return {
        "user": {"username": "alice", "email": "alice@example.com", "password": PASSWORD} | fields
    }


async def test_register_returns_201_with_token_and_null_profile(client: AsyncClient) -> None:
    response = await client.post("/api/users", json=user_body())

    assert response.status_code == 201
    user = response.json()["user"]
    assert user["username"] == "alice"
    assert user["email"] == "alice@example.com"
    assert user["bio"] is None
    assert user["image"] is None
    assert user["token"]
    assert set(user) == {"username", "email", "bio", "image", "token"}


@pytest.mark.parametrize("field", ["username", "email", "password"])
@pytest.mark.parametrize("value", ["", "   ", None])
async def test_register_blank_field_is_422_cant_be_blank(
    client: AsyncClient, field: str, value: str | None
) -> None:
    response = await client.post("/api/users", json=user_body(**{field: value}))

    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["errors"] == {field: ["can't be blank"]}


async def test_register_missing_field_is_blank(client: AsyncClient) -> None:
    response = await client.post("/api/users", json={"user": {"username": "alice"}})

    assert response.status_code == 422
    assert response.json()["errors"] == {
        "email": ["can't be blank"],
        "password": ["can't be blank"],
    }


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"password": "short"}, {"password": ["is too short (minimum is 8 characters)"]}),
        ({"password": "p" * 129}, {"password": ["is too long (maximum is 128 characters)"]}),
        ({"username": "u" * 65}, {"username": ["is too long (maximum is 64 characters)"]}),
        ({"email": "not-an-email"}, {"email": ["is invalid"]}),
        ({"email": "a" * 250 + "@x.io"}, {"email": ["is too long (maximum is 254 characters)"]}),
        ({"username": 12345}, {"username": ["must be a string"]}),
        ({"username": "has space"}, {"username": ["can't contain spaces or any of / ? # %"]}),
        ({"username": "a/b"}, {"username": ["can't contain spaces or any of / ? # %"]}),
    ],
)
async def test_register_rejects_bad_values(
    client: AsyncClient, fields: dict[str, object], expected: dict[str, list[str]]
) -> None:
    response = await client.post("/api/users", json=user_body(**fields))

    assert response.status_code == 422
    assert response.json()["errors"] == expected


async def test_register_accepts_unicode_username(client: AsyncClient) -> None:
    response = await client.post("/api/users", json=user_body(username="zoë_日本"))

    assert response.status_code == 201
    assert response.json()["user"]["username"] == "zoë_日本"


async def test_surrounding_whitespace_is_stripped_as_the_schema_allows(
    app: FastAPI, client: AsyncClient
) -> None:
    response = await client.post("/api/users", json=user_body(username="  zoë ", email=" z@x.io "))

    assert response.status_code == 201
    assert response.json()["user"]["username"] == "zoë"
    assert response.json()["user"]["email"] == "z@x.io"
    published = app.openapi()["components"]["schemas"]["NewUser"]["properties"]["username"]
    assert re.search(published["pattern"], "  zoë ")
    assert not re.search(published["pattern"], "zo ë")


async def test_register_duplicate_username_and_email_are_409(client: AsyncClient) -> None:
    await client.post("/api/users", json=user_body())

    same_name = await client.post("/api/users", json=user_body(email="other@example.com"))
    same_email = await client.post(
        "/api/users", json=user_body(username="ALICE2", email="Alice@Example.com")
    )
    same_name_other_case = await client.post(
        "/api/users", json=user_body(username="ALICE", email="x@example.com")
    )

    assert same_name.status_code == 409
    assert same_name.json()["errors"] == {"username": ["has already been taken"]}
    assert same_email.status_code == 409
    assert same_email.json()["errors"] == {"email": ["has already been taken"]}
    assert same_name_other_case.status_code == 409


async def test_login_is_case_insensitive_on_email(client: AsyncClient) -> None:
    await register(client, "bob")

    response = await client.post(
        "/api/users/login", json={"user": {"email": "BOB@example.com", "password": PASSWORD}}
    )

    assert response.status_code == 200
    assert response.json()["user"]["username"] == "bob"


@pytest.mark.parametrize("email", ["bob@example.com", "nobody@example.com"])
async def test_login_wrong_credentials_are_401_invalid(client: AsyncClient, email: str) -> None:
    await register(client, "bob")

    response = await client.post(
        "/api/users/login", json={"user": {"email": email, "password": "wrong password"}}
    )

    assert response.status_code == 401
    assert response.json()["errors"] == {"credentials": ["invalid"]}


@pytest.mark.parametrize("field", ["email", "password"])
async def test_login_blank_field_is_422(client: AsyncClient, field: str) -> None:
    body = {"email": "bob@example.com", "password": PASSWORD} | {field: ""}

    response = await client.post("/api/users/login", json={"user": body})

    assert response.status_code == 422
    assert response.json()["errors"] == {field: ["can't be blank"]}


async def test_current_user_round_trip(client: AsyncClient) -> None:
    bob = await register(client, "bob")

    response = await client.get("/api/user", headers=bob.headers)

    assert response.status_code == 200
    assert response.json()["user"]["email"] == "bob@example.com"


async def test_update_user_changes_only_given_fields(client: AsyncClient) -> None:
    bob = await register(client, "bob")

    first = await client.put("/api/user", headers=bob.headers, json={"user": {"bio": "Hi"}})
    second = await client.put(
        "/api/user", headers=bob.headers, json={"user": {"image": "https://img.test/b.png"}}
    )

    assert first.json()["user"]["bio"] == "Hi"
    assert second.json()["user"] | {"token": None} == {
        "username": "bob",
        "email": "bob@example.com",
        "bio": "Hi",
        "image": "https://img.test/b.png",
        "token": None,
    }


@pytest.mark.parametrize("value", ["", None])
@pytest.mark.parametrize("field", ["bio", "image"])
async def test_update_nullable_field_to_empty_or_null_clears_it(
    client: AsyncClient, field: str, value: str | None
) -> None:
    bob = await register(client, "bob")
    await client.put("/api/user", headers=bob.headers, json={"user": {field: "something"}})

    response = await client.put("/api/user", headers=bob.headers, json={"user": {field: value}})

    assert response.status_code == 200
    assert response.json()["user"][field] is None
    assert (await client.get("/api/user", headers=bob.headers)).json()["user"][field] is None


@pytest.mark.parametrize("field", ["username", "email", "password"])
@pytest.mark.parametrize("value", ["", None])
async def test_update_required_field_to_blank_is_422(
    client: AsyncClient, field: str, value: str | None
) -> None:
    bob = await register(client, "bob")

    response = await client.put("/api/user", headers=bob.headers, json={"user": {field: value}})

    assert response.status_code == 422
    assert response.json()["errors"] == {field: ["can't be blank"]}


async def test_update_to_taken_username_or_email_is_409(client: AsyncClient) -> None:
    await register(client, "alice")
    bob = await register(client, "bob")

    by_name = await client.put(
        "/api/user", headers=bob.headers, json={"user": {"username": "alice"}}
    )
    by_email = await client.put(
        "/api/user", headers=bob.headers, json={"user": {"email": "ALICE@example.com"}}
    )

    assert by_name.status_code == 409
    assert by_name.json()["errors"] == {"username": ["has already been taken"]}
    assert by_email.status_code == 409
    assert by_email.json()["errors"] == {"email": ["has already been taken"]}
    unchanged = await client.get("/api/user", headers=bob.headers)
    assert unchanged.json()["user"]["username"] == "bob"


async def test_update_own_email_case_is_not_a_conflict(client: AsyncClient) -> None:
    bob = await register(client, "bob")

    response = await client.put(
        "/api/user", headers=bob.headers, json={"user": {"email": "Bob@Example.com"}}
    )

    assert response.status_code == 200
    assert response.json()["user"]["email"] == "Bob@Example.com"


async def test_update_password_then_login_with_new_one(client: AsyncClient) -> None:
    bob = await register(client, "bob")

    await client.put("/api/user", headers=bob.headers, json={"user": {"password": "new password"}})

    old = await client.post(
        "/api/users/login", json={"user": {"email": bob.email, "password": PASSWORD}}
    )
    new = await client.post(
        "/api/users/login", json={"user": {"email": bob.email, "password": "new password"}}
    )
    assert old.status_code == 401
    assert new.status_code == 200


async def test_oauth2_token_endpoint_issues_bearer_token(client: AsyncClient) -> None:
    bob = await register(client, "bob")

    response = await client.post(
        "/api/users/token", data={"username": bob.email, "password": PASSWORD}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    me = await client.get("/api/user", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json()["user"]["username"] == "bob"


async def test_oauth2_token_endpoint_rejects_wrong_password(client: AsyncClient) -> None:
    bob = await register(client, "bob")

    response = await client.post("/api/users/token", data={"username": bob.email, "password": "x"})

    assert response.status_code == 401


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        (
            {"grant_type": "client_credentials"},
            {"grant_type": ["must be 'password' or 'refresh_token'"]},
        ),
        ({"username": "bob"}, {"username": ["is invalid"]}),
        ({"password": ""}, {"password": ["can't be blank"]}),
        ({"username": None}, {"username": ["can't be blank"]}),
        (
            {"username": None, "password": None},
            {"username": ["can't be blank"], "password": ["can't be blank"]},
        ),
        ({"grant_type": "refresh_token"}, {"refresh_token": ["can't be blank"]}),
        (
            {"grant_type": "refresh_token", "refresh_token": "  "},
            {"refresh_token": ["can't be blank"]},
        ),
    ],
)
async def test_oauth2_token_endpoint_rejects_a_bad_form(
    client: AsyncClient, form: dict[str, str | None], expected: dict[str, list[str]]
) -> None:
    fields = {"grant_type": "password", "username": "bob@example.com", "password": PASSWORD}

    data = {name: value for name, value in (fields | form).items() if value is not None}
    response = await client.post("/api/users/token", data=data)

    assert response.status_code == 422
    assert response.json()["errors"] == expected
