"""HMAC-SHA256 signatures of webhook bodies, in the `Webhook-Signature` header.

The header is `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the secret>`.
Signing the timestamp with the body lets a receiver refuse replays older than a few
minutes; the `v1=` label leaves room for another scheme (receivers accept any `v1` that
matches, so a secret can be rotated by signing with both). docs/webhooks.md has the
receiver's recipe.
"""

import hashlib
import hmac
import secrets

SIGNATURE_HEADER = "Webhook-Signature"
SECRET_PREFIX = "whsec_"  # noqa: S105 (a label, not a secret)


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    digest = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, header: str, body: bytes, *, now: int, tolerance: int = 300) -> bool:
    """What a receiver does (the recipe in docs/webhooks.md is this function)."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    timestamp = parts.get("t", "")
    if not timestamp.isdigit() or abs(now - int(timestamp)) > tolerance:
        return False
    expected = signature(secret, int(timestamp), body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))
