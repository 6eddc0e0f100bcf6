"""Request and response bodies of passkeys (WebAuthn). The options and the credential are
the WebAuthn Level 3 JSON forms: what `PublicKeyCredential.parseCreationOptionsFromJSON`
/ `parseRequestOptionsFromJSON` take and `credential.toJSON()` gives."""

from typing import Annotated, Any

from pydantic import BeforeValidator, Field, StringConstraints

from app.core.schemas import CamelModel, NotBlank, Timestamp
from app.core.text import reject_nul
from app.identity.passkeys.models import PASSKEY_NAME_MAX_LENGTH
from app.identity.users.schemas import OpaqueSecret


def _no_nul_anywhere(value: Any) -> Any:
    """The answer is stored in part (the credential id): no NUL in any of its strings."""
    if isinstance(value, dict):
        for item in value.values():
            _no_nul_anywhere(item)
    elif isinstance(value, list):
        for item in value:
            _no_nul_anywhere(item)
    else:
        reject_nul(value)
    return value


Credential = Annotated[
    dict[str, Any],
    BeforeValidator(_no_nul_anywhere),
    Field(description="The authenticator's answer: `credential.toJSON()` in the browser."),
]
PasskeyName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=PASSKEY_NAME_MAX_LENGTH),
    NotBlank,
    Field(description="To tell passkeys apart, e.g. `work laptop`."),
]


class CeremonyOptions(CamelModel):
    ceremony: str = Field(description="Send it back with the authenticator's answer; single use.")
    options: dict[str, Any] = Field(
        description="For `PublicKeyCredential.parseCreationOptionsFromJSON` (registration) or "
        "`parseRequestOptionsFromJSON` (sign-in)."
    )


class NewPasskey(CamelModel):
    ceremony: OpaqueSecret
    credential: Credential
    name: PasskeyName = "passkey"


class PasskeySignIn(CamelModel):
    ceremony: OpaqueSecret
    credential: Credential


class PasskeySummary(CamelModel):
    id: int
    name: str
    created_at: Timestamp
    last_used_at: Timestamp | None


class PasskeyResponse(CamelModel):
    passkey: PasskeySummary


class PasskeyListResponse(CamelModel):
    passkeys: list[PasskeySummary]
