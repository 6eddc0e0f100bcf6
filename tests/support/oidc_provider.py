"""An OpenID Connect provider on loopback for the sign-in tests: discovery, the
authorization endpoint (it approves at once, as the configured user), the token endpoint
(client_secret_basic, single-use codes, PKCE S256 checked) and the JWKS; ID tokens are
RS256, signed with python-jose over a key `cryptography` generates.

`fault` makes the next ID token wrong in one way (expired, signed by a key not published,
another nonce, another audience), for the tests of what the service refuses.
"""

import base64
import hashlib
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlencode

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jose import jwt
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.support.peer import serving_on_loopback

CLIENT_ID = "the-service"
CLIENT_SECRET = "a provider client secret"
REDIRECT_URI = "http://localhost:3000/oidc/callback"
Fault = Literal["expired", "wrong_key", "wrong_nonce", "wrong_audience"]


def _b64(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@dataclass
class SigningKey:
    kid: str
    pem: str
    jwk: dict[str, str]

    @classmethod
    def generate(cls, kid: str) -> "SigningKey":
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        ).decode()
        numbers = private.public_key().public_numbers()
        jwk = {
            "kty": "RSA",
            "alg": "RS256",
            "use": "sig",
            "kid": kid,
            "n": _b64(numbers.n),
            "e": _b64(numbers.e),
        }
        return cls(kid, pem, jwk)


@dataclass
class ProviderUser:
    subject: str
    email: str
    email_verified: bool = True


@dataclass
class Provider:
    base_url: str = ""
    user: ProviderUser = field(default_factory=lambda: ProviderUser("subject-1", "a@example.com"))
    fault: Fault | None = None
    key: SigningKey = field(default_factory=lambda: SigningKey.generate("key-1"))
    # Same kid, never published: what a forger would sign with.
    rogue_key: SigningKey = field(default_factory=lambda: SigningKey.generate("key-1"))
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    token_requests: int = 0
    # Called at each request, for tests that look at the service while it waits on us.
    on_request: Callable[[str], None] | None = None

    def app(self) -> Starlette:
        return Starlette(
            middleware=[Middleware(_Observed, provider=self)],
            routes=[
                Route("/.well-known/openid-configuration", self.discovery),
                Route("/authorize", self.authorize),
                Route("/token", self.token, methods=["POST"]),
                Route("/jwks", self.jwks),
            ],
        )

    async def discovery(self, _: Request) -> Response:
        return JSONResponse(
            {
                "issuer": self.base_url,
                "authorization_endpoint": f"{self.base_url}/authorize",
                "token_endpoint": f"{self.base_url}/token",
                "jwks_uri": f"{self.base_url}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            }
        )

    async def jwks(self, _: Request) -> Response:
        return JSONResponse({"keys": [self.key.jwk]})

    async def authorize(self, request: Request) -> Response:
        query = request.query_params
        valid = (
            query.get("response_type") == "code"
            and query.get("client_id") == CLIENT_ID
            and query.get("redirect_uri") == REDIRECT_URI
            and "openid" in query.get("scope", "").split()
            and query.get("code_challenge_method") == "S256"
            and query.get("code_challenge")
            and query.get("state")
            and query.get("nonce")
        )
        if not valid:
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        code = secrets.token_urlsafe(24)
        self.codes[code] = {
            "challenge": query["code_challenge"],
            "nonce": query["nonce"],
            "user": self.user,
        }
        target = f"{REDIRECT_URI}?{urlencode({'code': code, 'state': query['state']})}"
        return RedirectResponse(target, status_code=302)

    async def token(self, request: Request) -> Response:
        self.token_requests += 1
        form = await request.form()
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if request.headers.get("authorization") != f"Basic {expected}":
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        grant = self.codes.pop(str(form.get("code", "")), None)  # single use
        verifier = str(form.get("code_verifier", ""))
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        if (
            grant is None
            or form.get("grant_type") != "authorization_code"
            or form.get("redirect_uri") != REDIRECT_URI
            or challenge.decode().rstrip("=") != grant["challenge"]
        ):
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        return JSONResponse(
            {
                "access_token": secrets.token_urlsafe(16),
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": self._id_token(grant),
            }
        )

    def _id_token(self, grant: dict[str, Any]) -> str:
        fault, self.fault = self.fault, None
        now = int(time.time())
        user: ProviderUser = grant["user"]
        claims = {
            "iss": self.base_url,
            "sub": user.subject,
            "aud": "someone-else" if fault == "wrong_audience" else CLIENT_ID,
            "iat": now - 600 if fault == "expired" else now,
            "exp": now - 300 if fault == "expired" else now + 300,
            "nonce": "another nonce" if fault == "wrong_nonce" else grant["nonce"],
            "email": user.email,
            "email_verified": user.email_verified,
        }
        key = self.rogue_key if fault == "wrong_key" else self.key
        signed: str = jwt.encode(claims, key.pem, algorithm="RS256", headers={"kid": key.kid})
        return signed


class _Observed:
    def __init__(self, app: Any, provider: Provider) -> None:
        self.app, self.provider = app, provider

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and self.provider.on_request is not None:
            self.provider.on_request(scope["path"])
        await self.app(scope, receive, send)


@contextmanager
def running_provider(port: int | None = None) -> Iterator[Provider]:
    provider = Provider()
    with serving_on_loopback(provider.app(), port) as base_url:
        provider.base_url = base_url
        yield provider
