"""Reading credentials from requests: `Authorization: Token <jwt>` or `Bearer <jwt>`.

Two OpenAPI security schemes document the same header: the OAuth2 password flow makes
the "Authorize" button in /docs work (it sends Bearer), and the API-key scheme lets a
RealWorld client paste `Token <jwt>` as it would send it.
"""

from typing import Annotated, Any

from fastapi import Security
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer

from app.core.errors import Unauthorized

TOKEN_URL = "/api/users/token"  # noqa: S105 (a path, not a secret)
ACCEPTED_SCHEMES = frozenset({"token", "bearer"})

_oauth2 = OAuth2PasswordBearer(
    tokenUrl=TOKEN_URL,
    scheme_name="OAuth2 password",
    description="Log in with your email (as username) and password.",
    auto_error=False,
)
_header = APIKeyHeader(
    name="Authorization",
    scheme_name="Token",
    description="`Token <jwt>` as RealWorld clients send it (`Bearer <jwt>` works too).",
    auto_error=False,
)


# For operations where a token is optional: appended to their OpenAPI `security`, the
# empty requirement tells clients (and the /docs UI) that anonymous calls are allowed.
ANONYMOUS_ALLOWED: dict[str, Any] = {"security": [{}]}


async def credentials_from_header(
    _bearer: Annotated[str | None, Security(_oauth2)],
    authorization: Annotated[str | None, Security(_header)],
) -> str | None:
    """The raw JWT, None when no Authorization header was sent; 401 when it is malformed."""
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
