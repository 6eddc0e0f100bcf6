"""Identity and access, the platform side: knows nothing of Conduit.

- `header`: reading `Authorization: Token|Bearer <jwt>`, and the OpenAPI security schemes.
- `access_tokens`: short-lived JWTs naming a user and a session (`sub`, `sid`).
- `opaque_tokens`: random one-time secrets stored as digests (refresh tokens, mail links).
- `passwords`: argon2id hashing, legacy bcrypt upgraded on login.
- `roles`: the role ladder and the check behind `Moderator` / `Admin` (app/deps.py).

The session rows, users and audit events are domain tables (app/models); their services
use these pieces.
"""

from app.core.auth.header import (
    ANONYMOUS_ALLOWED,
    OAUTH2_SCHEME_NAME,
    TOKEN_SCHEME,
    TOKEN_SCHEME_NAME,
    TOKEN_URL,
    credentials_from_header,
)

__all__ = [
    "ANONYMOUS_ALLOWED",
    "OAUTH2_SCHEME_NAME",
    "TOKEN_SCHEME",
    "TOKEN_SCHEME_NAME",
    "TOKEN_URL",
    "credentials_from_header",
]
