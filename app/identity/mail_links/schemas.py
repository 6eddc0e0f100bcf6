"""Bodies of the password reset and email verification endpoints."""

from pydantic import BaseModel, Field

from app.core.schemas import Email
from app.identity.users.schemas import OpaqueSecret, Password


class EmailAddress(BaseModel):
    email: Email


class PasswordResetRequest(BaseModel):
    user: EmailAddress


class PasswordReset(BaseModel):
    token: OpaqueSecret = Field(description="The `token` of the mailed link.")
    password: Password = Field(description="The new password.")


class EmailVerification(BaseModel):
    token: OpaqueSecret = Field(description="The `token` of the mailed link.")


class Accepted(BaseModel):
    message: str
