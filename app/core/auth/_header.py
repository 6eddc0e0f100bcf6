"""Reading credentials from requests: `Authorization: Token <jwt>` or `Bearer <jwt>`.

Two OpenAPI security schemes document the same header: the OAuth2 password flow makes
the "Authorize" button in /docs work (it sends Bearer), and the API-key scheme lets a
RealWorld client paste `Token <jwt>` as it would send it.
"""

from typing import Any

from fastapi import Request
from fastapi.security import OAuth2PasswordBearer

from app.core.errors import Unauthorized

TOKEN_URL = "/api/users/token"  # noqa: S105 (a path, not a secret)
ACCEPTED_SCHEMES = frozenset({"token", "bearer"})
OAUTH2_SCHEME_NAME = "OAuth2 password"
TOKEN_SCHEME_NAME = "Token"  # noqa: S105 (a scheme name, not a secret)
# Published beside the OAuth2 scheme by app/core/edge/_openapi.py, on every operation that has it.
TOKEN_SCHEME: dict[str, Any] = {
    "type": "apiKey",
    "in": "header",
    "name": "Authorization",
    "description": "`Token <jwt>` as RealWorld clients send it (`Bearer <jwt>` works too).",
}

# For operations where a token is optional: appended to their OpenAPI `security`, the
# empty requirement tells clients (and the /docs UI) that anonymous calls are allowed.
ANONYMOUS_ALLOWED: dict[str, Any] = {"security": [{}]}


class AuthorizationHeader(OAuth2PasswordBearer):
    """The raw JWT, None when no Authorization header was sent; 401 when it is malformed.

    One security dependency reads the header for both schemes: each FastAPI dependency
    costs a resolution step per request, and this is on every authenticated request.
    """

    async def __call__(self, request: Request) -> str | None:  # type: ignore[override]
        authorization = request.headers.get("authorization")
        if authorization is None:
            return None
        scheme, _, token = authorization.strip().partition(" ")
        token = token.strip()
        if scheme.lower() not in ACCEPTED_SCHEMES or not token or " " in token:
            raise Unauthorized(
                "The Authorization header must be `Token <jwt>` or `Bearer <jwt>`.",
                {"token": ["is invalid"]},
            )
        return token


credentials_from_header = AuthorizationHeader(
    tokenUrl=TOKEN_URL,
    scheme_name=OAUTH2_SCHEME_NAME,
    description="Log in with your email (as username) and password.",
    auto_error=False,
)
