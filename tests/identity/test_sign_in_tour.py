"""The sign-in tour (tests/identity/tour.py) against the production start command: real
workers, real commits, TOTP codes computed as an authenticator app does, a passkey made by
headless Chromium's virtual authenticator."""

import asyncio
import uuid
from datetime import timedelta

from sqlalchemy import delete

from app.core.config import Settings
from app.core.db import create_engine
from app.core.ratelimit import LoginFailures, LoginThrottle
from app.identity.users.models import User
from tests.deploy.server import production_server
from tests.identity.tour import oidc_tour, passkey_tour, two_factor_tour
from tests.support.oidc_provider import CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, running_provider


async def _forget(settings: Settings, username: str) -> None:
    """Its committed rows: the account (and with it its two-factor rows) and the login
    throttle's counts, which other tests count per address from this same loopback one."""
    throttle = LoginThrottle(client="127.0.0.1", limit=1, window=timedelta(1))
    keys = [*throttle.keys(f"{username}@example.com"), throttle.address_key()]
    engine = create_engine(settings)
    try:
        async with engine.begin() as connection:
            await connection.execute(delete(LoginFailures).where(LoginFailures.key.in_(keys)))
            await connection.execute(delete(User).where(User.username == username))
    finally:
        await engine.dispose()


def test_every_sign_in_flow_against_the_production_server(settings: Settings) -> None:
    username, passkey_holder, federated = (f"tour{uuid.uuid4().hex[:10]}" for _ in range(3))
    page_origin = "http://localhost:8765"  # served by Playwright, never dialled
    try:
        with (
            running_provider() as provider,
            production_server(
                workers=1,
                WEBAUTHN_ORIGINS=page_origin,
                OIDC_ISSUER=provider.base_url,
                OIDC_CLIENT_ID=CLIENT_ID,
                OIDC_CLIENT_SECRET=CLIENT_SECRET,
                OIDC_REDIRECT_URI=REDIRECT_URI,
            ) as server,
        ):
            tour = two_factor_tour(server.base_url, username)
            passkey_steps = asyncio.run(passkey_tour(server.base_url, page_origin, passkey_holder))
            oidc_steps = oidc_tour(server.base_url, provider, federated)
    finally:
        for name in (username, passkey_holder, federated):
            asyncio.run(_forget(settings, name))

    assert tour.steps == [
        "register: 201",
        "enrol: 201",
        "confirm with the app's code: 200",
        "password step asks for a code: 403",
        "code step signs in: 200",
        "the new session works: 200",
        "password step asks for a code: 403",
        "a replayed code is refused: 401",
        "password step asks for a code: 403",
        "a recovery code signs in: 200",
        "turned off with another recovery code: 204",
        "login is one step again: 200",
        "a token for a script: 201",
        "the token within its scope: 200",
        "the token outside its scope: 403",
        "revoked: 204",
        "the revoked token at once: 401",
    ]
    assert passkey_steps == [
        "register: 201",
        "passkey options: 200",
        "passkey registered in Chromium: 201",
        "sign-in options: 200",
        "signed in with the passkey, no username: 200",
        "the new session works: 200",
    ]
    assert oidc_steps == [
        "register: 201",
        "to the provider: 200",
        "the provider approves: 302",
        "signed in through the provider: 200",
        "a forged state is refused: 401",
    ]
