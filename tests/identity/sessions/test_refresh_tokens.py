"""Sessions: sign-in opens one, refresh rotates its token, a reused token revokes it."""

import asyncio
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient, Response
from jose import jwt
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.identity.sessions.models import RefreshToken, UserSession
from tests.support.users import RegisteredUser, log_in, register, signed_in


async def _refresh(client: AsyncClient, refresh_token: str) -> Response:
    return await client.post("/api/users/refresh", json={"refreshToken": refresh_token})


async def _me(client: AsyncClient, token: str) -> int:
    return (await client.get("/api/user", headers={"Authorization": f"Token {token}"})).status_code


async def test_registration_and_login_each_open_a_session(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    bob = await register(client)
    again = await log_in(client, bob)

    assert again.session_id != bob.session_id
    for user in (bob, again):
        claims = jwt.get_unverified_claims(user.token)
        assert claims["sid"] == str(user.session_id)
        assert claims["exp"] - claims["iat"] == settings.access_token_ttl_minutes * 60
    row = await session.get(UserSession, again.session_id)
    assert row is not None
    assert row.client_address == "127.0.0.1"
    assert row.revoked_at is None
    idle = row.expires_at - row.created_at
    assert idle == timedelta(days=settings.refresh_token_ttl_days)
    lifetime = row.absolute_expires_at - row.created_at
    assert lifetime == timedelta(days=settings.session_absolute_ttl_days)


async def test_the_refresh_token_is_stored_only_as_its_digest(
    client: AsyncClient, session: AsyncSession
) -> None:
    bob = await register(client)

    stored = (await session.scalars(select(RefreshToken.digest))).all()

    assert bob.refresh_token not in stored
    assert len(bob.refresh_token) >= 43  # 256 random bits


async def test_refresh_rotates_the_token_and_keeps_the_session(client: AsyncClient) -> None:
    bob = await register(client)

    response = await _refresh(client, bob.refresh_token)

    assert response.status_code == 200
    renewed = signed_in(response.json())
    assert renewed.session_id == bob.session_id
    assert renewed.refresh_token != bob.refresh_token
    assert await _me(client, renewed.token) == 200
    assert await _me(client, bob.token) == 200  # same session, still live
    assert (await _refresh(client, renewed.refresh_token)).status_code == 200


async def test_a_reused_refresh_token_revokes_the_whole_session(
    client: AsyncClient, session: AsyncSession
) -> None:
    victim = await register(client)
    other = await log_in(client, victim)
    thief = signed_in((await _refresh(client, victim.refresh_token)).json())

    replay = await _refresh(client, victim.refresh_token)

    assert replay.status_code == 401
    assert replay.json()["errors"] == {"refreshToken": ["was already used"]}
    assert (await _refresh(client, thief.refresh_token)).status_code == 401
    assert await _me(client, thief.token) == 401
    assert await _me(client, victim.token) == 401
    assert await _me(client, other.token) == 200  # another session is not concerned
    revoked = await session.get(UserSession, victim.session_id)
    assert revoked is not None
    assert revoked.revoked_at is not None


async def test_unknown_refresh_token_is_401(client: AsyncClient) -> None:
    response = await _refresh(client, "not-a-token-we-issued")

    assert response.status_code == 401
    assert response.json()["errors"] == {"refreshToken": ["is invalid or expired"]}


async def test_a_lapsed_session_cannot_be_refreshed_and_its_tokens_stop(
    client: AsyncClient, session: AsyncSession
) -> None:
    bob = await register(client)
    await session.execute(
        update(UserSession)
        .where(UserSession.id == bob.session_id)
        .values(expires_at=func.now() - timedelta(seconds=1))
    )

    assert (await _refresh(client, bob.refresh_token)).status_code == 401
    assert await _me(client, bob.token) == 401


async def test_refresh_never_extends_a_session_past_its_absolute_lifetime(
    client: AsyncClient, session: AsyncSession
) -> None:
    bob = await register(client)
    cap = datetime.now(UTC) + timedelta(hours=1)
    await session.execute(
        update(UserSession).where(UserSession.id == bob.session_id).values(absolute_expires_at=cap)
    )

    response = await _refresh(client, bob.refresh_token)

    expires_at = response.json()["session"]["expiresAt"]
    assert expires_at == cap.isoformat(timespec="milliseconds").replace("+00:00", "Z")


async def test_refresh_moves_the_idle_lapse_forward(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    bob = await register(client)
    await session.execute(
        update(UserSession)
        .where(UserSession.id == bob.session_id)
        .values(expires_at=func.now() + timedelta(minutes=1))
    )

    await _refresh(client, bob.refresh_token)

    row = (
        await session.execute(
            select(UserSession.expires_at - UserSession.last_refreshed_at).where(
                UserSession.id == bob.session_id
            )
        )
    ).scalar_one()
    assert row == timedelta(days=settings.refresh_token_ttl_days)


async def test_oauth2_refresh_grant_rotates_too(client: AsyncClient) -> None:
    bob = await register(client)
    form = {"username": bob.email, "password": "correct horse battery"}
    first = (await client.post("/api/users/token", data=form)).json()

    second = await client.post(
        "/api/users/token",
        data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
    )
    replay = await client.post(
        "/api/users/token",
        data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
    )

    assert second.status_code == 200
    body = second.json()
    assert body["token_type"] == "bearer"
    assert body["refresh_token"] != first["refresh_token"]
    assert replay.status_code == 401
    assert await _me(client, body["access_token"]) == 401  # the replay revoked the session


async def test_two_refreshes_of_one_token_at_once_end_the_session(
    committed: tuple[AsyncClient, str],
) -> None:
    client, prefix = committed
    user: RegisteredUser = await register(client, f"{prefix}racer")

    answers = await asyncio.gather(*(_refresh(client, user.refresh_token) for _ in range(4)))

    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200, 401, 401, 401]
    winner = next(signed_in(a.json()) for a in answers if a.status_code == 200)
    assert await _me(client, winner.token) == 401  # the others were seen as reuse


async def test_a_long_forwarded_address_is_cut_to_fit(app: FastAPI, session: AsyncSession) -> None:
    # Behind a trusted proxy the client address is whatever X-Forwarded-For said.
    transport = ASGITransport(app=app, client=("x" * 100, 1234))
    async with AsyncClient(transport=transport, base_url="http://test") as client:
        bob = await register(client)

    row = await session.get(UserSession, bob.session_id)
    assert row is not None
    assert row.client_address == "x" * 64
