"""Password hashing and access tokens.

Passwords: argon2 for new hashes; bcrypt hashes from older systems still verify and are
upgraded on the next successful login. Tokens: HMAC-signed JWTs whose subject is the
user id, with issuer, audience, issue and expiry times, and the algorithm pinned.
"""

import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from jose import JWTError, jwt
from jose.utils import base64url_decode
from passlib.context import CryptContext

from app.core.config import Settings

# argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): about 40 ms of CPU
# per hash. Hashes made with other parameters or with bcrypt are rehashed on login.
_passwords = CryptContext(
    schemes=["argon2", "bcrypt"],
    deprecated="auto",
    argon2__memory_cost=19 * 1024,
    argon2__time_cost=2,
    argon2__parallelism=1,
)

# Verified against when the user does not exist, so a login for an unknown email costs
# as much as a wrong password and timing does not reveal which emails are registered.
_DUMMY_HASH = _passwords.hash(uuid.uuid4().hex)


def hash_password(password: str) -> str:
    return _passwords.hash(password)


def verify_password(password: str, password_hash: str | None) -> tuple[bool, str | None]:
    """Check a password; return (matches, replacement hash if the stored one is outdated)."""
    if password_hash is None:
        _passwords.verify(password, _DUMMY_HASH)
        return False, None
    return _passwords.verify_and_update(password, password_hash)


class InvalidToken(Exception):
    """The token is malformed, expired, forged or meant for someone else."""


def create_access_token(subject: uuid.UUID | int | str, settings: Settings) -> str:
    now = datetime.now(UTC)
    claims = {
        "sub": str(subject),
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


# Tokens already verified, with their subject and expiry: a client sends the same token on
# every request, and re-checking its signature and claims each time is most of the cost of
# authentication. Keyed by the token and everything it was checked against; only tokens that
# passed are kept, so forged ones cannot fill it; cleared when full.
_VERIFIED_MAX = 4096
_verified: dict[tuple[str, str, str, str, str], tuple[str, float]] = {}


def decode_access_token(token: str, settings: Settings) -> str:
    """Return the token's subject, or raise `InvalidToken`."""
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
    subject, expires_at = _verify(token, settings)
    if len(_verified) >= _VERIFIED_MAX:
        _verified.clear()
    _verified[key] = (subject, expires_at)
    return subject


def _verify(token: str, settings: Settings) -> tuple[str, float]:
    """The subject and expiry (epoch seconds) of a valid token; `InvalidToken` otherwise."""
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
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise InvalidToken("token has no subject")
    return subject, float(claims["exp"])
