"""Request and response bodies of personal access tokens."""

from typing import Annotated

from pydantic import Field, StringConstraints

from app.core.schemas import CamelModel, NotBlank, Timestamp
from app.core.text import StorableText
from app.identity.personal_tokens.models import TOKEN_NAME_MAX_LENGTH
from app.identity.personal_tokens.scopes import Scope

MAX_LIFETIME_DAYS = 366

TokenName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=TOKEN_NAME_MAX_LENGTH),
    NotBlank,
    Field(description="What the token is for, e.g. `nightly export`."),
]


class NewToken(CamelModel):
    name: TokenName
    scopes: list[Annotated[Scope, StorableText]] = Field(
        min_length=1, max_length=len(Scope), description="What it may do; `admin` for admins only."
    )
    expires_in_days: int = Field(ge=1, le=MAX_LIFETIME_DAYS, description="It lapses after this.")


class TokenSummary(CamelModel):
    id: int
    name: str
    prefix: str = Field(description="The secret's first characters, to tell tokens apart.")
    scopes: list[str]
    created_at: Timestamp
    expires_at: Timestamp
    last_used_at: Timestamp | None = Field(
        description="When it was last used, to the minute (null: never)."
    )


class IssuedToken(TokenSummary):
    token: str = Field(
        description="The secret, shown this once: send it as `Authorization: Bearer <token>`."
    )


class IssuedTokenResponse(CamelModel):
    token: IssuedToken


class TokenListResponse(CamelModel):
    tokens: list[TokenSummary]
