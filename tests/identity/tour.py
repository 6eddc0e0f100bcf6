"""The sign-in flows against a running server, as a client would use them.

    python -m tests.identity.tour http://127.0.0.1:8000    # against `make serve` / `make run`
    python -m tests.identity.tour http://127.0.0.1:8000 --oidc-port 9400
        # and sign-in with the loopback OpenID Connect provider (tests/support/oidc_provider.py),
        # which the tour starts on 127.0.0.1:9400; the server runs with OIDC_ISSUER=
        # http://127.0.0.1:9400 OIDC_CLIENT_ID=the-service OIDC_CLIENT_SECRET='a provider client
        # secret' OIDC_REDIRECT_URI=http://localhost:3000/oidc/callback

Registers a new account and goes through two-factor sign-in with real TOTP codes (enrol,
confirm, the two-step login, a replayed code refused, a recovery code, turning it off),
then a personal access token (used within its scope, refused outside it, revoked), then a
passkey in headless Chromium (registered, then signing in without a username): the page is
served by Playwright on the origin the server trusts, `http://localhost:<port>` by
default (`make serve`'s WEBAUTHN_ORIGINS), with the browser's virtual authenticator; and,
with `--oidc-port`, a sign-in through the loopback OpenID Connect provider.
Prints each step; exits 1 at the first answer that is not the expected one.
`tests/identity/test_sign_in_tour.py` runs it against the production start command.
"""

import argparse
import asyncio
import sys
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

import httpx
import pyotp
from playwright.async_api import async_playwright

from tests.support.chromium import CHROMIUM_ARGS, chromium_executable
from tests.support.oidc_provider import Provider, ProviderUser, running_provider
from tests.support.passkeys import create_credential, get_assertion, page_with_authenticator

PASSWORD = "correct horse battery"


class TourFailed(AssertionError):
    pass


@dataclass
class Tour:
    client: httpx.Client
    steps: list[str] = field(default_factory=list)

    def expect(self, step: str, response: httpx.Response, status: int) -> httpx.Response:
        if response.status_code != status:
            raise TourFailed(f"{step}: {response.status_code} (wanted {status}) {response.text}")
        self.steps.append(f"{step}: {status}")
        return response


def two_factor_tour(base_url: str, username: str | None = None) -> Tour:
    """The two-factor flow from registration to turning it off; the steps it checked."""
    username = username or f"tour{uuid.uuid4().hex[:10]}"
    email = f"{username}@example.com"
    credentials = {"user": {"email": email, "password": PASSWORD}}
    with httpx.Client(base_url=f"{base_url.rstrip('/')}/api", timeout=10) as client:
        tour = Tour(client)
        registered = tour.expect(
            "register",
            client.post("/users", json={"user": {"username": username, **credentials["user"]}}),
            201,
        )
        headers = {"Authorization": f"Token {registered.json()['user']['token']}"}
        secret = tour.expect("enrol", client.post("/user/two-factor", headers=headers), 201).json()[
            "secret"
        ]
        totp = pyotp.TOTP(secret)
        recovery_codes = tour.expect(
            "confirm with the app's code",
            client.post("/user/two-factor/confirm", headers=headers, json={"code": totp.now()}),
            200,
        ).json()["recoveryCodes"]

        def challenge() -> str:
            refused = tour.expect(
                "password step asks for a code", client.post("/users/login", json=credentials), 403
            )
            token: str = refused.json()["challenge"]["token"]
            return token

        next_code = totp.at(time.time() + 30)  # the confirmation spent the current step
        signed_in = tour.expect(
            "code step signs in",
            client.post(
                "/users/login/two-factor", json={"challenge": challenge(), "code": next_code}
            ),
            200,
        )
        token = signed_in.json()["user"]["token"]
        tour.expect(
            "the new session works",
            client.get("/user", headers={"Authorization": f"Token {token}"}),
            200,
        )
        tour.expect(
            "a replayed code is refused",
            client.post(
                "/users/login/two-factor", json={"challenge": challenge(), "code": next_code}
            ),
            401,
        )
        tour.expect(
            "a recovery code signs in",
            client.post(
                "/users/login/two-factor",
                json={"challenge": challenge(), "recoveryCode": recovery_codes[0]},
            ),
            200,
        )
        tour.expect(
            "turned off with another recovery code",
            client.post(
                "/user/two-factor/disable",
                headers=headers,
                json={"recoveryCode": recovery_codes[1]},
            ),
            204,
        )
        tour.expect("login is one step again", client.post("/users/login", json=credentials), 200)

        issued = tour.expect(
            "a token for a script",
            client.post(
                "/user/tokens",
                headers=headers,
                json={"name": "tour", "scopes": ["profile:read"], "expiresInDays": 1},
            ),
            201,
        ).json()["token"]
        script = {"Authorization": f"Bearer {issued['token']}"}
        tour.expect("the token within its scope", client.get("/user", headers=script), 200)
        tour.expect(
            "the token outside its scope",
            client.get("/admin/audit-events", headers=script),
            403,
        )
        tour.expect("revoked", client.delete(f"/user/tokens/{issued['id']}", headers=headers), 204)
        tour.expect("the revoked token at once", client.get("/user", headers=script), 401)
    return tour


def _checked(step: str, response: httpx.Response, status: int, steps: list[str]) -> httpx.Response:
    if response.status_code != status:
        raise TourFailed(f"{step}: {response.status_code} (wanted {status}) {response.text}")
    steps.append(f"{step}: {status}")
    return response


def default_page_origin(base_url: str) -> str:
    """The server's own origin, named `localhost` (the default WEBAUTHN_RP_ID)."""
    return f"http://localhost:{urlsplit(base_url).port or 80}"


async def passkey_tour(base_url: str, page_origin: str, username: str | None = None) -> list[str]:
    """Register a passkey for a new account in Chromium, then sign in with it."""
    username = username or f"tour{uuid.uuid4().hex[:10]}"
    steps: list[str] = []
    user = {"username": username, "email": f"{username}@example.com", "password": PASSWORD}
    async with (
        async_playwright() as playwright,
        httpx.AsyncClient(base_url=f"{base_url.rstrip('/')}/api", timeout=10) as api,
    ):
        browser = await playwright.chromium.launch(
            executable_path=chromium_executable(), args=CHROMIUM_ARGS
        )
        try:
            page = await page_with_authenticator(browser, page_origin)
            registered = _checked(
                "register", await api.post("/users", json={"user": user}), 201, steps
            )
            headers = {"Authorization": f"Token {registered.json()['user']['token']}"}
            started = _checked(
                "passkey options",
                await api.post("/user/passkeys/registration", headers=headers),
                200,
                steps,
            ).json()
            credential = await create_credential(page, started["options"])
            _checked(
                "passkey registered in Chromium",
                await api.post(
                    "/user/passkeys",
                    headers=headers,
                    json={"ceremony": started["ceremony"], "credential": credential},
                ),
                201,
                steps,
            )
            asked = _checked(
                "sign-in options", await api.post("/users/login/passkey/options"), 200, steps
            ).json()
            assertion = await get_assertion(page, asked["options"])
            signed_in = _checked(
                "signed in with the passkey, no username",
                await api.post(
                    "/users/login/passkey",
                    json={"ceremony": asked["ceremony"], "credential": assertion},
                ),
                200,
                steps,
            ).json()
            token = {"Authorization": f"Token {signed_in['user']['token']}"}
            _checked("the new session works", await api.get("/user", headers=token), 200, steps)
        finally:
            await browser.close()
    return steps


def oidc_tour(base_url: str, provider: Provider, username: str | None = None) -> list[str]:
    """Register an account, then sign in to it through the provider (its verified email)."""
    username = username or f"tour{uuid.uuid4().hex[:10]}"
    email = f"{username}@example.com"
    steps: list[str] = []
    user = {"username": username, "email": email, "password": PASSWORD}
    provider.user = ProviderUser(f"subject-{username}", email, email_verified=True)
    with httpx.Client(base_url=f"{base_url.rstrip('/')}/api", timeout=10) as api:
        _checked("register", api.post("/users", json={"user": user}), 201, steps)
        started = _checked("to the provider", api.post("/users/login/oidc"), 200, steps).json()
        with httpx.Client(timeout=10) as browser:
            approved = _checked(
                "the provider approves", browser.get(started["authorizationUrl"]), 302, steps
            )
        back = dict(parse_qsl(urlsplit(approved.headers["location"]).query))
        signed_in = _checked(
            "signed in through the provider",
            api.post(
                "/users/login/oidc/callback", json={"code": back["code"], "state": back["state"]}
            ),
            200,
            steps,
        ).json()
        if signed_in["user"]["username"] != username:
            raise TourFailed(f"signed in as {signed_in['user']['username']}, not {username}")
        forged = {"code": back["code"], "state": "forged"}
        _checked(
            "a forged state is refused",
            api.post("/users/login/oidc/callback", json=forged),
            401,
            steps,
        )
    return steps


def main() -> int:
    arguments = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    arguments.add_argument("base_url", nargs="?", default="http://127.0.0.1:8000")
    arguments.add_argument("--page-origin", help="the passkey page's origin")
    arguments.add_argument("--oidc-port", type=int, help="run the loopback provider here")
    args = arguments.parse_args()
    page_origin = args.page_origin or default_page_origin(args.base_url)
    try:
        tour = two_factor_tour(args.base_url)
        steps = tour.steps + asyncio.run(passkey_tour(args.base_url, page_origin))
        if args.oidc_port:
            with running_provider(args.oidc_port) as provider:
                steps += oidc_tour(args.base_url, provider)
    except TourFailed as failure:
        print(f"FAILED {failure}", file=sys.stderr)
        return 1
    print("\n".join(steps))
    return 0


if __name__ == "__main__":
    sys.exit(main())
