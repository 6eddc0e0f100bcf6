"""The relying party's calls to the OpenID Connect provider: discovery, the authorization
URL (code flow with PKCE S256, state and nonce), the code exchange, and the ID token's
verification against the provider's published keys (OIDC Core 1.0, section 3.1.3.7).

Every call goes through the process's outgoing client (`app.core.outbound_http.send`:
timeouts, retries of idempotent calls, 502/504 when the provider is down).
"""

import base64
import hashlib
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx

from app.core.auth import ProviderTokenRefused, decode_provider_token
from app.core.config import Settings
from app.core.errors import Unauthorized
from app.core.outbound_http import UpstreamUnavailable, send

# Signatures an ID token may carry (never `none`, never a shared-secret HMAC).
ID_TOKEN_ALGORITHMS = ("RS256", "ES256")
_DISCOVERY_TTL_SECONDS = 3600
_discovered: dict[str, tuple[float, "Discovery"]] = {}


@dataclass(frozen=True, slots=True)
class Discovery:
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str


def _json(response: httpx.Response, what: str) -> dict[str, Any]:
    if response.status_code != httpx.codes.OK:
        raise UpstreamUnavailable(
            f"The identity provider's {what} answered {response.status_code}."
        )
    try:
        document = response.json()
    except ValueError as error:
        raise UpstreamUnavailable(f"The identity provider's {what} is not JSON.") from error
    if not isinstance(document, dict):
        raise UpstreamUnavailable(f"The identity provider's {what} is not a JSON object.")
    return document


async def discover(client: httpx.AsyncClient, settings: Settings) -> Discovery:
    """The provider's endpoints from `{issuer}/.well-known/openid-configuration`, cached an
    hour per process; its `issuer` must be exactly the configured one (Discovery 1.0 §4.3)."""
    issuer = settings.oidc_issuer.rstrip("/")
    cached = _discovered.get(issuer)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    url = f"{issuer}/.well-known/openid-configuration"
    document = _json(await send(client, "GET", url, settings=settings), "discovery document")
    if str(document.get("issuer", "")).rstrip("/") != issuer:
        raise UpstreamUnavailable("The identity provider's discovery names another issuer.")
    try:
        found = Discovery(
            document["authorization_endpoint"], document["token_endpoint"], document["jwks_uri"]
        )
    except KeyError as error:
        raise UpstreamUnavailable(f"The discovery document lacks {error.args[0]}.") from error
    _discovered[issuer] = (time.monotonic() + _DISCOVERY_TTL_SECONDS, found)
    return found


def code_challenge(verifier: str) -> str:
    """RFC 7636 S256: the verifier's SHA-256, base64url without padding."""
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def authorization_url(
    discovery: Discovery, settings: Settings, *, state: str, nonce: str, verifier: str
) -> str:
    query = urlencode(
        {
            "response_type": "code",
            "client_id": settings.oidc_client_id,
            "redirect_uri": settings.oidc_redirect_uri,
            "scope": settings.oidc_scopes,
            "state": state,
            "nonce": nonce,
            "code_challenge": code_challenge(verifier),
            "code_challenge_method": "S256",
        }
    )
    separator = "&" if "?" in discovery.authorization_endpoint else "?"
    return f"{discovery.authorization_endpoint}{separator}{query}"


async def exchange_code(
    client: httpx.AsyncClient, settings: Settings, discovery: Discovery, code: str, verifier: str
) -> str:
    """The ID token for an authorization code (client_secret_basic, the PKCE verifier)."""
    response = await send(
        client,
        "POST",
        discovery.token_endpoint,
        settings=settings,
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": settings.oidc_redirect_uri,
            "code_verifier": verifier,
        },
        auth=(settings.oidc_client_id, settings.oidc_client_secret.get_secret_value()),
    )
    if response.status_code in {httpx.codes.BAD_REQUEST, httpx.codes.UNAUTHORIZED}:
        raise Unauthorized(
            "The identity provider did not accept the code.", {"code": ["was not accepted"]}
        )
    id_token = _json(response, "token endpoint").get("id_token")
    if not isinstance(id_token, str):
        raise UpstreamUnavailable("The identity provider's token answer has no ID token.")
    return id_token


def _refused(message: str) -> Unauthorized:
    return Unauthorized(f"The ID token was refused: it {message}.", {"idToken": [message]})


async def verified_claims(
    client: httpx.AsyncClient, settings: Settings, discovery: Discovery, id_token: str, nonce: str
) -> dict[str, Any]:
    """The ID token's claims once its signature (by a key of the provider's JWKS), issuer,
    audience, expiry and nonce are checked; 401 naming what failed."""
    keys = _json(await send(client, "GET", discovery.jwks_uri, settings=settings), "keys")
    try:
        claims = decode_provider_token(
            id_token,
            keys,
            algorithms=ID_TOKEN_ALGORITHMS,
            audience=settings.oidc_client_id,
            issuer=settings.oidc_issuer.rstrip("/"),
        )
    except ProviderTokenRefused as refused:
        raise _refused(refused.refusal.value) from refused
    if claims.get("nonce") != nonce:
        raise _refused("does not carry this sign-in's nonce")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise _refused("names no subject")
    return claims
