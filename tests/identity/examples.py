"""Valid requests of identity's operations (tests/support/examples.py says how they are used)."""

from typing import Any

from httpx import AsyncClient

from tests.support.users import PASSWORD, RegisteredUser

VALID_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/api/users"): {
        "user": {"username": "newcomer", "email": "newcomer@example.com", "password": PASSWORD}
    },
    ("POST", "/api/users/login"): {"user": {"email": "a@example.com", "password": PASSWORD}},
    ("POST", "/api/users/token"): {"username": "a@example.com", "password": PASSWORD},
    ("POST", "/api/users/refresh"): {"refreshToken": "an-opaque-refresh-token"},
    ("PUT", "/api/user"): {
        "user": {
            "username": "renamed",
            "email": "renamed@example.com",
            "password": PASSWORD,
            "bio": "bio",
            "image": "https://example.com/me.png",
        }
    },
    ("PUT", "/api/admin/users/{username}/role"): {"role": "moderator"},
    ("POST", "/api/user/reauthenticate"): {"user": {"password": PASSWORD}},
    ("POST", "/api/users/password-reset"): {"user": {"email": "a@example.com"}},
    ("POST", "/api/users/password-reset/confirm"): {"token": "a-token", "password": PASSWORD},
    ("POST", "/api/users/email-verification/confirm"): {"token": "a-token"},
    ("POST", "/api/users/login/two-factor"): {"challenge": "a-challenge", "code": "123456"},
    ("POST", "/api/user/two-factor/confirm"): {"code": "123456"},
    ("POST", "/api/user/two-factor/recovery-codes"): {"code": "123456"},
    ("POST", "/api/user/two-factor/disable"): {"recoveryCode": "abcd-efgh-ijkl-mnop"},
    ("POST", "/api/user/passkeys"): {
        "ceremony": "a-ceremony",
        "credential": {"id": "an-id", "type": "public-key"},
        "name": "laptop",
    },
    ("POST", "/api/users/login/passkey"): {
        "ceremony": "a-ceremony",
        "credential": {"id": "an-id", "type": "public-key"},
    },
    ("POST", "/api/users/login/oidc/callback"): {"code": "a-code", "state": "a-state"},
    ("POST", "/api/user/oidc/callback"): {"code": "a-code", "state": "a-state"},
    ("POST", "/api/user/tokens"): {
        "name": "nightly export",
        "scopes": ["profile:read"],
        "expiresInDays": 30,
    },
}
FORM_OPERATIONS = {("POST", "/api/users/token")}


async def path_values(client: AsyncClient, user: RegisteredUser) -> dict[str, str]:
    return {"username": user.username, "session_id": "1"}
