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
