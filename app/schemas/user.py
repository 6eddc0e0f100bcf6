"""Request and response bodies of the users and authentication endpoints."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from app.schemas.fields import Email, EmptyAsNone, NotBlank, reject_blank

USERNAME_MAX_LENGTH = 64
PASSWORD_MIN_LENGTH = 8
# Long enough for any passphrase; bounded so hashing cost cannot be used as a lever.
PASSWORD_MAX_LENGTH = 128
BIO_MAX_LENGTH = 2_000
IMAGE_MAX_LENGTH = 2_048

Username = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, max_length=USERNAME_MAX_LENGTH, pattern=r"^[^/\s?#%]+$"
    ),
    NotBlank,
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


class LoginCredentials(BaseModel):
    email: Email
    # Only "not blank" here: length rules belong to registration, and a login must not
    # reveal which rules a stored password satisfied.
    password: Annotated[str, StringConstraints(max_length=PASSWORD_MAX_LENGTH), NotBlank]


class LoginRequest(BaseModel):
    user: LoginCredentials


class UserChanges(BaseModel):
    """Only the fields present in the request change; bio and image accept null or ""."""

    username: Username | None = None
    email: Email | None = None
    password: Password | None = None
    bio: Bio = None
    image: ImageUrl = None

    # Omitting a required field leaves it unchanged; sending null or "" is an error.
    _null_is_blank = field_validator("username", "email", "password", mode="before")(reject_blank)


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
    """OAuth2 token response (RFC 6749 §5.1), used by the /docs "Authorize" button."""

    access_token: str
    token_type: str = Field(default="bearer")
    expires_in: int
