"""The anonymous token and link endpoints count per address; ending sessions never counts.

A refresh token or a mailed link's token cannot be guessed, but each attempt costs a
lookup: beyond the write quota an address gets 429 (docs/rate-limits.md). Logging out and
ending sessions are not limited: whoever holds a stolen token could otherwise spend the
owner's quota and keep them from ending the stolen session.
"""

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from app.core.config import Settings
from tests.support.rate_limits import QUOTA, client_of_its_own_address, with_small_quota
from tests.support.users import register

# Each with a body that is well-formed but refers to nothing: the endpoint's own refusal.
ANONYMOUS = {
    "/api/users/refresh": ({"refreshToken": "a" * 43}, 401),
    "/api/users/password-reset/confirm": ({"token": "a" * 43, "password": "n" * 12}, 400),
    "/api/users/email-verification/confirm": ({"token": "a" * 43}, 400),
}


@pytest.mark.parametrize("path", sorted(ANONYMOUS))
async def test_attempts_beyond_the_quota_get_429(
    app: FastAPI, settings: Settings, path: str
) -> None:
    with_small_quota(app, settings)
    body, refused = ANONYMOUS[path]
    async with client_of_its_own_address(app) as client:
        statuses = [(await client.post(path, json=body)).status_code for _ in range(QUOTA + 1)]
        elsewhere = await client.post(path, json=body, headers={"X-Forwarded-For": "10.0.0.1"})

    assert statuses == [refused] * QUOTA + [429]
    assert elsewhere.status_code == 429  # a forged Forwarded-For is not another address


async def test_ending_sessions_is_never_limited(
    app: FastAPI, settings: Settings, client: AsyncClient
) -> None:
    owner = await register(client)
    with_small_quota(app, settings)
    async with client_of_its_own_address(app) as thief:
        spent = [
            (await thief.put("/api/user", headers=owner.headers, json={"user": {"bio": "x"}}))
            for _ in range(QUOTA + 1)
        ]
        ended = await thief.delete("/api/user/sessions", headers=owner.headers)

    assert [response.status_code for response in spent] == [200] * QUOTA + [429]
    assert ended.status_code == 204
    me = await client.get("/api/user", headers=owner.headers)
    assert me.status_code == 401  # the session is over


async def test_a_users_writes_share_one_quota_from_any_address(
    app: FastAPI, settings: Settings, client: AsyncClient
) -> None:
    # Counted by the token's subject, in the statement that reads the sign-in (app/deps.py).
    user = await register(client)
    with_small_quota(app, settings)
    statuses = []
    for _ in range(QUOTA + 1):
        async with client_of_its_own_address(app) as elsewhere:
            changed = await elsewhere.put("/api/user", headers=user.headers, json={"user": {}})
            statuses.append(changed.status_code)

    assert statuses == [200] * QUOTA + [429]
    assert changed.headers["RateLimit"] == '"writes";r=0;t=' + changed.headers["Retry-After"]


async def test_a_well_signed_token_of_an_ended_session_is_counted_then_refused(
    app: FastAPI, settings: Settings, client: AsyncClient
) -> None:
    user = await register(client)
    assert (await client.delete("/api/user/sessions", headers=user.headers)).status_code == 204
    with_small_quota(app, settings)
    async with client_of_its_own_address(app) as caller:
        answers = [
            await caller.put("/api/user", headers=user.headers, json={"user": {"bio": "x"}})
            for _ in range(QUOTA + 1)
        ]

    assert [answer.status_code for answer in answers] == [401] * QUOTA + [429]
    assert answers[0].json()["errors"] == {"token": ["is invalid"]}
    assert int(answers[-1].headers["Retry-After"]) > 0
