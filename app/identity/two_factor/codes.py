"""The codes of two-factor sign-in: TOTP (RFC 6238, with `pyotp`) and recovery codes.

TOTP is the authenticator apps' default: SHA-1, 6 digits, 30-second steps, the secret as
base32 in an `otpauth://` URI (a QR code to scan). A code is accepted one step either side
of now (clocks drift), and only for a step after the last one accepted (RFC 6238 §5.2:
a code is valid once).
"""

import base64
import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp

TOTP_DIGITS = 6
# Steps either side of the current one whose codes are accepted (30 s each).
_DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
# 80 random bits each: too many to guess, and to recover from a stolen digest, so a plain
# SHA-256 stores them (as the other random one-time secrets here).
_RECOVERY_CODE_BYTES = 10


def new_totp_secret() -> str:
    """160 random bits in base32, the size RFC 4226 recommends for HMAC-SHA1."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    """The `otpauth://totp/...` URI an authenticator app imports (usually as a QR code)."""
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)


def accepted_step(secret: str, code: str, *, at: datetime, after_step: int | None) -> int | None:
    """The time step `code` belongs to, if it is right for a step near `at` and later than
    `after_step` (the last one accepted); None otherwise."""
    totp = pyotp.TOTP(secret, digits=TOTP_DIGITS)
    current = totp.timecode(at)
    for step in range(current - _DRIFT_STEPS, current + _DRIFT_STEPS + 1):
        if after_step is not None and step <= after_step:
            continue  # that code was used, or an earlier one: refused as a replay
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def new_recovery_codes() -> list[str]:
    """Ten codes like `k7q3-mw2x-9dpa-ftr6`, shown once."""
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        text = base64.b32encode(secrets.token_bytes(_RECOVERY_CODE_BYTES)).decode().lower()
        codes.append("-".join(text[i : i + 4] for i in range(0, len(text), 4)))
    return codes


def recovery_code_digest(code: str) -> str:
    """The stored form; spaces, dashes and case as the user typed them do not matter."""
    normalized = "".join(code.split()).replace("-", "").lower()
    return hashlib.sha256(normalized.encode()).hexdigest()
