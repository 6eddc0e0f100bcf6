"""Every failure is an RFC 9457 problem with field-keyed errors and the request id."""

import logging

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

PROBLEM = "application/problem+json"


def assert_problem(response_json: dict[str, object], status: int) -> None:
    assert response_json["status"] == status
    assert response_json["type"] == "about:blank"
    assert isinstance(response_json["title"], str)
    assert isinstance(response_json["detail"], str)
    assert isinstance(response_json["errors"], dict)
    assert isinstance(response_json["request_id"], str)


async def test_unknown_route_is_404_problem(client: AsyncClient) -> None:
    response = await client.get("/api/nothing-here")

    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    assert_problem(response.json(), 404)


async def test_wrong_method_is_405_problem(client: AsyncClient) -> None:
    response = await client.delete("/api/users")

    assert response.status_code == 405
    assert response.headers["content-type"] == PROBLEM
    assert "allow" in response.headers


async def test_malformed_json_is_422(client: AsyncClient) -> None:
    response = await client.post(
        "/api/users", content=b'{"user": {', headers={"content-type": "application/json"}
    )

    assert response.status_code == 422
    assert response.json()["errors"] == {"body": ["is not valid JSON"]}


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"[" * 100_000, "nested too deeply"),
        (b'{"user": ' * 50_000 + b"1" + b"}" * 50_000, "nested too deeply"),
        (b'{"user": {"email": "\xff\xfe@example.com"}}', "not UTF-8 text"),
    ],
    ids=["deep-array", "deep-object", "not-utf8"],
)
async def test_unreadable_json_is_422_naming_the_problem(
    client: AsyncClient, body: bytes, reason: str
) -> None:
    response = await client.post(
        "/api/users", content=body, headers={"content-type": "application/json"}
    )

    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["errors"] == {"body": ["is not valid JSON"]}
    assert reason in response.json()["detail"]


async def test_a_broken_form_is_400_naming_the_body(client: AsyncClient) -> None:
    response = await client.post(
        "/api/users/token",
        content=b"--x\r\nnot a part",
        headers={"content-type": "multipart/form-data"},  # no boundary
    )

    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["errors"] == {"body": ["could not be parsed"]}


async def test_missing_body_is_422(client: AsyncClient) -> None:
    response = await client.post("/api/users")

    assert response.status_code == 422
    assert response.json()["errors"] == {"body": ["can't be blank"]}


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "multipart/form-data"])
async def test_non_json_body_is_415(client: AsyncClient, content_type: str) -> None:
    response = await client.post(
        "/api/users", content=b'{"user": {}}', headers={"content-type": content_type}
    )

    assert response.status_code == 415
    assert response.json()["errors"] == {"body": ["must be application/json"]}


@pytest.mark.parametrize("body", [[], "user", 42, None, {"user": []}, {"user": "x"}])
async def test_wrong_json_shapes_are_422(client: AsyncClient, body: object) -> None:
    response = await client.post("/api/users", json=body)

    assert response.status_code == 422
    assert_problem(response.json(), 422)


async def test_huge_numbers_are_422_not_500(client: AsyncClient) -> None:
    response = await client.post(
        "/api/users",
        content=b'{"user": {"username": 1e999, "email": 123456789012345678901234567890,'
        b' "password": true}}',
        headers={"content-type": "application/json"},
    )

    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"username", "email", "password"}


async def test_request_id_is_echoed_in_header_and_body(client: AsyncClient) -> None:
    response = await client.get("/api/user", headers={"X-Request-ID": "trace-abc-123"})

    assert response.headers["x-request-id"] == "trace-abc-123"
    assert response.json()["request_id"] == "trace-abc-123"


async def test_unexpected_error_is_a_bare_500_and_logged(
    app: FastAPI, client: AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals")

    with caplog.at_level(logging.ERROR):
        response = await client.get("/boom")

    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM
    assert "secret internals" not in response.text
    assert "Traceback" not in response.text
    assert_problem(response.json(), 500)
    assert any(record.exc_info for record in caplog.records)


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("OPTIONS", "/api/user", "GET, PUT"),
        ("PATCH", "/probe/things/some-name", "GET"),
        ("PUT", "/probe/things", "GET, POST"),
    ],
)
async def test_405_lists_every_method_of_the_path(
    client: AsyncClient, method: str, path: str, allow: str
) -> None:
    response = await client.request(method, path)

    assert response.status_code == 405
    assert response.headers["allow"] == allow


async def test_undecodable_body_is_a_400_problem(client: AsyncClient) -> None:
    response = await client.post(
        "/api/users", content=b"\xff\xfe\x00bad", headers={"content-type": "application/json"}
    )

    assert response.status_code in {400, 422}
    assert response.headers["content-type"] == PROBLEM
