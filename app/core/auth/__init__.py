"""Identity and access, the platform side: tokens, passwords and roles, no user table.

- credentials: `credentials_from_header` reads `Authorization: Token|Bearer <jwt>`; the
  OpenAPI security schemes (`TOKEN_SCHEME`, `ANONYMOUS_ALLOWED`).
- access tokens: `create_access_token` / `decode_access_token`, short-lived JWTs naming a
  user and a session (`sub`, `sid`), HS256 only.
- opaque tokens: `new_opaque_token` / `digest_of`, random one-time secrets stored as
  digests (refresh tokens, mailed links).
- passwords: `hash_password` / `verify_password`, argon2id, legacy bcrypt upgraded on login;
  request code runs them through `run_hashing`: a few hashes at a time per process
  (`limit_concurrent_hashes`).
- roles: the `Role` ladder and `require_role`, behind `Moderator` / `Admin` (app/deps.py).
- provider tokens: `decode_provider_token`, an identity provider's ID token checked
  against its published keys (JWKS), asymmetric algorithms only.
- token scopes: `declare_token_scopes` publishes which scope each operation needs from a
  personal access token (`x-token-scopes`), read off dependencies carrying `token_scope`.

The users, their sessions and the audit log are the identity features' (app/identity/).
"""

from app.core.auth._access_tokens import (
    AccessClaims,
    InvalidToken,
    create_access_token,
    decode_access_token,
)
from app.core.auth._header import (
    ANONYMOUS_ALLOWED,
    OAUTH2_SCHEME_NAME,
    TOKEN_SCHEME,
    TOKEN_SCHEME_NAME,
    TOKEN_URL,
    credentials_from_header,
)
from app.core.auth._opaque_tokens import MAX_TOKEN_LENGTH, digest_of, new_opaque_token
from app.core.auth._passwords import (
    hash_password,
    limit_concurrent_hashes,
    run_hashing,
    verify_password,
)
from app.core.auth._provider_tokens import ProviderTokenRefused, decode_provider_token
from app.core.auth._roles import ROLES, Role, has_role, require_role
from app.core.auth._token_scopes import TOKEN_SCOPES_KEY, declare_token_scopes

__all__ = [
    "ANONYMOUS_ALLOWED",
    "MAX_TOKEN_LENGTH",
    "OAUTH2_SCHEME_NAME",
    "ROLES",
    "TOKEN_SCHEME",
    "TOKEN_SCHEME_NAME",
    "TOKEN_SCOPES_KEY",
    "TOKEN_URL",
    "AccessClaims",
    "InvalidToken",
    "ProviderTokenRefused",
    "Role",
    "create_access_token",
    "credentials_from_header",
    "declare_token_scopes",
    "decode_access_token",
    "decode_provider_token",
    "digest_of",
    "has_role",
    "hash_password",
    "limit_concurrent_hashes",
    "new_opaque_token",
    "require_role",
    "run_hashing",
    "verify_password",
]
