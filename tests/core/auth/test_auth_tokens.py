"""Every way a token can be wrong gives 401 with WWW-Authenticate, never a 500."""

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from httpx import AsyncClient
from jose import jwt
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.auth import create_access_token
from app.core.config import Settings
from app.identity.users.models import User
from tests.support.users import register


def _token(settings: Settings, **overrides: object) -> str:
    now = datetime.now(UTC)
    claims: dict[str, object] = {
        "sub": "1",
        "sid": "1",
        "iat": now,
        "exp": now + timedelta(minutes=5),
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
    }
    claims.update(overrides)
    claims = {key: value for key, value in claims.items() if value is not None}
    return jwt.encode(claims, settings.secret_key.get_secret_value(), settings.jwt_algorithm)


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


async def _assert_rejected(client: AsyncClient, authorization: str, message: str) -> None:
    response = await client.get("/api/user", headers={"Authorization": authorization})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert "Token" in response.headers["www-authenticate"]
    assert response.json()["errors"] == {"token": [message]}


async def test_missing_token(client: AsyncClient) -> None:
    response = await client.get("/api/user")

    assert response.status_code == 401
    assert response.headers["www-authenticate"]
    assert response.json()["errors"] == {"token": ["is missing"]}


@pytest.mark.parametrize(
    "authorization", ["Token", "Token ", "Basic dXNlcjpwYXNz", "Token a b", "tokenabc", "JWT x.y.z"]
)
async def test_malformed_authorization_header(client: AsyncClient, authorization: str) -> None:
    await _assert_rejected(client, authorization, "is invalid")


async def test_garbage_token(client: AsyncClient) -> None:
    await _assert_rejected(client, "Token not-a-jwt", "is invalid")


async def test_expired_token(client: AsyncClient, settings: Settings) -> None:
    bob = await register(client)
    past = datetime.now(UTC) - timedelta(hours=2)
    me = (await client.get("/api/user", headers=bob.headers)).json()
    assert me["user"]["username"] == bob.username

    token = _token(settings, iat=past, exp=past + timedelta(minutes=1))

    await _assert_rejected(client, f"Token {token}", "is invalid")


@pytest.mark.parametrize(
    "claims",
    [
        {"iss": "someone-else"},
        {"aud": "another-service"},
        {"exp": None},
        {"sub": None},
        {"sub": "not-a-number"},
        {"sub": "999999999999"},
        {"sid": None},
        {"sid": "not-a-number"},
        {"sid": "\u0661"},
        {"sid": str(2**63)},
        {"sid": "999999999999"},
    ],
    ids=[
        "issuer",
        "audience",
        "no-exp",
        "no-sub",
        "non-numeric-sub",
        "unknown-user",
        "no-sid",
        "non-numeric-sid",
        "non-ascii-digit-sid",
        "sid-beyond-bigint",
        "unknown-session",
    ],
)
async def test_wrong_claims(
    client: AsyncClient, settings: Settings, claims: dict[str, object]
) -> None:
    await _assert_rejected(client, f"Token {_token(settings, **claims)}", "is invalid")


async def test_tampered_payload(client: AsyncClient, settings: Settings) -> None:
    bob = await register(client)
    header, _, signature = bob.token.split(".")
    forged_payload = _b64({"sub": "2", "iss": settings.jwt_issuer, "aud": settings.jwt_audience})

    await _assert_rejected(client, f"Token {header}.{forged_payload}.{signature}", "is invalid")


async def test_signed_with_another_key(client: AsyncClient, settings: Settings) -> None:
    other = settings.model_copy(update={"secret_key": settings.secret_key.__class__("x" * 40)})

    await _assert_rejected(client, f"Token {create_access_token(1, 1, other)}", "is invalid")


async def test_alg_none_is_rejected(client: AsyncClient, settings: Settings) -> None:
    bob = await register(client)
    payload = bob.token.split(".")[1]
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{payload}."

    await _assert_rejected(client, f"Token {unsigned}", "is invalid")


async def test_other_hmac_algorithm_is_rejected(client: AsyncClient, settings: Settings) -> None:
    claims = {
        "sub": "1",
        "sid": "1",
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": datetime.now(UTC),
        "exp": datetime.now(UTC) + timedelta(minutes=5),
    }
    token = jwt.encode(claims, settings.secret_key.get_secret_value(), "HS512")

    await _assert_rejected(client, f"Token {token}", "is invalid")


async def test_token_of_deleted_user(client: AsyncClient, session: AsyncSession) -> None:
    bob = await register(client)
    await session.execute(delete(User).where(User.username == bob.username))

    await _assert_rejected(client, f"Token {bob.token}", "is invalid")


@pytest.mark.parametrize("scheme", ["Token", "Bearer", "token", "BEARER"])
async def test_token_and_bearer_schemes_are_accepted(client: AsyncClient, scheme: str) -> None:
    bob = await register(client)

    response = await client.get("/api/user", headers={"Authorization": f"{scheme} {bob.token}"})

    assert response.status_code == 200


async def test_token_subject_is_the_user_id(client: AsyncClient, settings: Settings) -> None:
    bob = await register(client)

    claims = jwt.get_unverified_claims(bob.token)

    assert claims["sub"].isdigit()
    assert claims["sid"].isdigit()
    assert claims["iss"] == settings.jwt_issuer
    assert claims["aud"] == settings.jwt_audience
    assert claims["exp"] > claims["iat"]


def _signed_for(user_token: str, settings: Settings, header: dict[str, object]) -> str:
    """A correctly signed, unexpired token for the same user, with extra header members."""
    claims = jwt.get_unverified_claims(user_token)
    return jwt.encode(
        claims, settings.secret_key.get_secret_value(), settings.jwt_algorithm, headers=header
    )


async def test_a_harmless_extra_header_member_is_accepted(
    client: AsyncClient, settings: Settings
) -> None:
    # The control for the next test: the forged tokens are valid but for their header.
    bob = await register(client)
    token = _signed_for(bob.token, settings, {"kid": "2026-01"})

    response = await client.get("/api/user", headers={"Authorization": f"Token {token}"})

    assert response.status_code == 200


@pytest.mark.parametrize(
    "header",
    [
        {"crit": ["x-unknown"], "x-unknown": True},
        {"crit": ["exp"]},
        {"jwk": {"kty": "oct", "k": "c2VjcmV0"}},
        {"jku": "https://attacker.example/keys.json"},
        {"x5u": "https://attacker.example/cert.pem"},
        {"x5c": ["MIIBszCCAVmgAwIBAgIU"]},
    ],
    ids=["crit-unknown", "crit-registered", "jwk", "jku", "x5u", "x5c"],
)
async def test_critical_extensions_and_header_supplied_keys_are_rejected(
    client: AsyncClient, settings: Settings, header: dict[str, object]
) -> None:
    bob = await register(client)
    token = _signed_for(bob.token, settings, header)

    await _assert_rejected(client, f"Token {token}", "is invalid")


@pytest.mark.parametrize(
    "header_segment",
    ["%%%", _b64({"alg": "HS256"})[:-1] + "!", "WyJhbGciXQ", "bm90IGpzb24"],
    ids=["not-base64", "bad-character", "json-array", "not-json"],
)
async def test_malformed_header_segment(
    client: AsyncClient, settings: Settings, header_segment: str
) -> None:
    bob = await register(client)
    _, payload, signature = bob.token.split(".")

    await _assert_rejected(client, f"Token {header_segment}.{payload}.{signature}", "is invalid")
