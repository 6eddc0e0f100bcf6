"""Request and response bodies of sign-in with an OpenID Connect provider."""

from typing import Annotated

from pydantic import Field, StringConstraints

from app.core.schemas import CamelModel, NotBlank, Timestamp
from app.identity.users.schemas import OpaqueSecret

AuthorizationCode = Annotated[str, StringConstraints(max_length=2048), NotBlank]


class AuthorizationRedirect(CamelModel):
    authorization_url: str = Field(description="Send the browser there.")
    expires_in: int = Field(description="Seconds the provider's answer is awaited.")


class ProviderAnswer(CamelModel):
    """What the provider added to the redirect URI's query: `code` and `state`."""

    code: AuthorizationCode
    state: OpaqueSecret


class LinkedIdentity(CamelModel):
    id: int
    issuer: str
    subject: str
    email: str | None
    linked_at: Timestamp


class LinkedIdentityResponse(CamelModel):
    identity: LinkedIdentity


class LinkedIdentityList(CamelModel):
    identities: list[LinkedIdentity]
