"""Tokens signed by someone else: an identity provider's ID tokens, checked against the
public keys (a JWKS) it publishes. Asymmetric algorithms only, named by the caller; a
header with `crit` is refused, as for our own tokens."""

from enum import StrEnum
from typing import Any

from app.core.auth._jose import ExpiredSignatureError, JWTClaimsError, JWTError, jwt


class Refusal(StrEnum):
    MALFORMED = "is malformed"
    ALGORITHM = "is signed with an algorithm not accepted"
    EXPIRED = "has expired"
    CLAIMS = "is not for this service (issuer or audience)"
    SIGNATURE = "is not signed by the provider"


class ProviderTokenRefused(Exception):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.value)
        self.refusal = refusal


def decode_provider_token(
    token: str,
    keys: dict[str, Any],
    *,
    algorithms: tuple[str, ...],
    audience: str,
    issuer: str,
) -> dict[str, Any]:
    """The claims of `token` once signed by one of `keys` (a JWKS) with one of
    `algorithms`, unexpired, for `audience` from `issuer`; `ProviderTokenRefused` naming
    the first check that failed."""
    try:
        header = jwt.get_unverified_header(token)
    except JWTError as error:
        raise ProviderTokenRefused(Refusal.MALFORMED) from error
    if header.get("alg") not in algorithms or "crit" in header:
        raise ProviderTokenRefused(Refusal.ALGORITHM)
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            keys,
            algorithms=list(algorithms),
            audience=audience,
            issuer=issuer,
            options={"verify_at_hash": False, "require_exp": True, "require_iat": True},
        )
    except ExpiredSignatureError as error:
        raise ProviderTokenRefused(Refusal.EXPIRED) from error
    except JWTClaimsError as error:
        raise ProviderTokenRefused(Refusal.CLAIMS) from error
    except JWTError as error:
        raise ProviderTokenRefused(Refusal.SIGNATURE) from error
    return claims
