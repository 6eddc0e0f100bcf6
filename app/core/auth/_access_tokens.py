"""Access tokens: short-lived HMAC-signed JWTs naming a user and one of their sessions.

Claims: `sub` (the user id), `sid` (the session id), `iat`, `exp`, `iss`, `aud`; the
algorithm is pinned. A valid signature says who the token was issued to, not that the
session is still open: revocation, expiry and deactivation are read from the database on
every request (the session row rides the user lookup, see `app.identity.users.service.by_session`).
"""

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from app.core.auth._jose import JWTError, base64url_decode, jwt
from app.core.config import Settings


class InvalidToken(Exception):
    """The token is malformed, expired, forged or meant for someone else."""


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: int
    session_id: int


def create_access_token(user_id: int, session_id: int, settings: Settings) -> str:
    now = datetime.now(UTC)
    claims = {
        "sub": str(user_id),
        "sid": str(session_id),
        "iat": now,
        "exp": now + timedelta(minutes=settings.access_token_ttl_minutes),
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
    }
    return jwt.encode(claims, settings.secret_key.get_secret_value(), settings.jwt_algorithm)


# Header members python-jose accepts without a word, refused here. `crit` lists extensions a
# verifier must understand or reject (RFC 7515, section 4.1.11; we understand none), and a
# key named by the token itself (`jwk`, `jku`, `x5u`, `x5c`) must never be trusted: tokens are
# verified with our own secret only, so a token carrying one was not made by this service.
_REFUSED_HEADER_MEMBERS = frozenset({"crit", "jwk", "jku", "x5u", "x5c"})


def _check_header(token: str) -> None:
    """Refuse header members we cannot honour; reads only the first segment (cheap)."""
    try:
        header = json.loads(base64url_decode(token.split(".", 1)[0].encode()))
    except ValueError as error:  # bad base64, UTF-8 or JSON
        raise InvalidToken("malformed header") from error
    if not isinstance(header, dict):
        raise InvalidToken("malformed header")
    refused = _REFUSED_HEADER_MEMBERS.intersection(header)
    if refused:
        raise InvalidToken(f"header member(s) not accepted: {', '.join(sorted(refused))}")


# Tokens already verified, with their claims and expiry: a client sends the same token on
# every request, and re-checking its signature and claims each time is most of the cost of
# authentication. Keyed by the token and everything it was checked against; only tokens that
# passed are kept, so forged ones cannot fill it; cleared when full. What it remembers is
# that the signature and claims are good, never that the session is still open.
_VERIFIED_MAX = 4096
_verified: dict[tuple[str, str, str, str, str], tuple[AccessClaims, float]] = {}


def decode_access_token(token: str, settings: Settings) -> AccessClaims:
    """The token's user and session ids, or `InvalidToken`."""
    key = (
        token,
        settings.secret_key.get_secret_value(),
        settings.jwt_algorithm,
        settings.jwt_issuer,
        settings.jwt_audience,
    )
    remembered = _verified.get(key)
    if remembered is not None and remembered[1] > time.time():
        return remembered[0]
    claims, expires_at = _verify(token, settings)
    if len(_verified) >= _VERIFIED_MAX:
        _verified.clear()
    _verified[key] = (claims, expires_at)
    return claims


def _numeric_id(claims: dict[str, Any], name: str) -> int:
    value = claims.get(name)
    # ASCII digits only (str.isdigit accepts other scripts' digits), within a bigint.
    if not isinstance(value, str) or not value.isascii() or not value.isdigit():
        raise InvalidToken(f"token has no numeric {name!r}")
    number = int(value)
    if not 0 < number < 2**63:
        raise InvalidToken(f"{name!r} is out of range")
    return number


def _verify(token: str, settings: Settings) -> tuple[AccessClaims, float]:
    """The claims and expiry (epoch seconds) of a valid token; `InvalidToken` otherwise."""
    _check_header(token)
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            settings.secret_key.get_secret_value(),
            # Pinned: a token announcing any other algorithm (`none` included) is rejected.
            algorithms=[settings.jwt_algorithm],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require_exp": True, "require_iat": True, "require_sub": True},
        )
    except JWTError as error:
        raise InvalidToken(str(error)) from error
    # A token without `sid` (issued before sessions existed) names no session that could be
    # revoked: refused, its holder logs in again.
    access = AccessClaims(_numeric_id(claims, "sub"), _numeric_id(claims, "sid"))
    return access, float(claims["exp"])
