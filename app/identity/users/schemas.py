"""Request and response bodies of the users and authentication endpoints."""

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

from app.core.auth import MAX_TOKEN_LENGTH
from app.core.schemas import Email, EmptyAsNone, NotBlank, NotNull, drop_null_defaults

OpaqueSecret = Annotated[str, StringConstraints(max_length=MAX_TOKEN_LENGTH), NotBlank]
"""A refresh token or a mailed link's token, as the client sends it back."""

USERNAME_MAX_LENGTH = 64
PASSWORD_MIN_LENGTH = 8
# Long enough for any passphrase; bounded so hashing cost cannot be used as a lever.
PASSWORD_MAX_LENGTH = 128
BIO_MAX_LENGTH = 2_000
IMAGE_MAX_LENGTH = 2_048

# A username is a URL path segment (/api/profiles/{username}): no inner whitespace, / ? # %
# or NUL. Surrounding whitespace is accepted, then stripped. One pattern, checked here on
# the raw value and published as is; whitespace is what ECMA-262 (the schema's regex
# dialect) or Python calls whitespace, so client and server agree.
_WHITESPACE = r"\s\u001c-\u001f\u0085\ufeff"
USERNAME_PATTERN = rf"^[{_WHITESPACE}]*[^/?#%\u0000{_WHITESPACE}]+[{_WHITESPACE}]*$"
_USERNAME = re.compile(USERNAME_PATTERN)


def _path_safe(value: Any) -> Any:
    if isinstance(value, str) and not _USERNAME.match(value):
        raise PydanticCustomError("username", "can't contain spaces or any of / ? # %")
    return value


Username = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=USERNAME_MAX_LENGTH),
    BeforeValidator(_path_safe),
    NotBlank,  # listed last, so its blank check runs first
    Field(json_schema_extra={"pattern": USERNAME_PATTERN}),
]
Password = Annotated[
    str,
    StringConstraints(min_length=PASSWORD_MIN_LENGTH, max_length=PASSWORD_MAX_LENGTH),
    NotBlank,
]
Bio = Annotated[str | None, StringConstraints(max_length=BIO_MAX_LENGTH), EmptyAsNone]
ImageUrl = Annotated[str | None, StringConstraints(max_length=IMAGE_MAX_LENGTH), EmptyAsNone]


class NewUser(BaseModel):
    username: Username
    email: Email
    password: Password


class RegisterRequest(BaseModel):
    user: NewUser


# Only "not blank" at login: length rules belong to registration, and a login must not
# reveal which rules a stored password satisfied.
LoginPassword = Annotated[str, StringConstraints(max_length=PASSWORD_MAX_LENGTH), NotBlank]


class LoginCredentials(BaseModel):
    email: Email
    password: LoginPassword


class LoginRequest(BaseModel):
    user: LoginCredentials


class PasswordProof(BaseModel):
    password: LoginPassword


class ReauthenticationRequest(BaseModel):
    user: PasswordProof


class TokenRequest(BaseModel):
    """OAuth2 token endpoint: the password grant (RFC 6749, section 4.3), as the docs'
    Authorize button sends it, and the refresh grant (section 6)."""

    model_config = ConfigDict(json_schema_extra=drop_null_defaults)

    grant_type: Literal["password", "refresh_token"] = "password"
    username: Annotated[Email | None, NotNull()] = Field(
        default=None, description="Password grant: the account's email address."
    )
    password: Annotated[LoginPassword | None, NotNull()] = Field(
        default=None, description="Password grant: the password."
    )
    refresh_token: Annotated[OpaqueSecret | None, NotNull()] = Field(
        default=None, description="Refresh grant: the refresh token (single use)."
    )
    scope: str = Field(default="", description="Ignored: a token grants the user's rights.")


class UserChanges(BaseModel):
    """Only the fields present in the request change; bio and image accept null or ""."""

    model_config = ConfigDict(json_schema_extra=drop_null_defaults)

    # Omitting one of these leaves it unchanged; sending null or "" is an error.
    username: Annotated[Username | None, NotNull()] = None
    email: Annotated[Email | None, NotNull()] = None
    password: Annotated[Password | None, NotNull()] = None
    bio: Bio = None
    image: ImageUrl = None


class UpdateUserRequest(BaseModel):
    user: UserChanges


class AuthenticatedUser(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    email: str
    token: str
    username: str
    bio: str | None
    image: str | None


class UserResponse(BaseModel):
    user: AuthenticatedUser


class AccessToken(BaseModel):
    """OAuth2 token response (RFC 6749, section 5.1)."""

    access_token: str
    token_type: str = Field(default="bearer")
    expires_in: int = Field(description="Seconds until the access token expires.")
    refresh_token: str = Field(
        description="Single use: send it with `grant_type=refresh_token` for the next pair."
    )
