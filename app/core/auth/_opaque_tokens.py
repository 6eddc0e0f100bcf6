"""Opaque one-time secrets (refresh tokens, password reset and verification links).

The client gets 256 random bits; the database keeps only their SHA-256. A stolen copy of
the table cannot be replayed, and no salt or slow hash is needed: the secret is random,
not chosen by a person, so there is nothing to guess from its digest. Lookups are by
digest, an indexed equality.
"""

import hashlib
import secrets
from dataclasses import dataclass

TOKEN_BYTES = 32
# token_urlsafe(32) is 43 characters; a little room for what a client may pad or wrap.
MAX_TOKEN_LENGTH = 128


@dataclass(frozen=True, slots=True)
class OpaqueToken:
    secret: str  # given to the client once, never stored
    digest: str  # stored and looked up


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_opaque_token() -> OpaqueToken:
    secret = secrets.token_urlsafe(TOKEN_BYTES)
    return OpaqueToken(secret=secret, digest=digest_of(secret))
