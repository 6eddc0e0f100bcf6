"""Bodies of the admin endpoints for accounts."""

from typing import Annotated

from pydantic import BaseModel, Field

from app.core.auth import Role
from app.core.schemas import CamelModel, Timestamp
from app.core.text import StorableText


class RoleChange(BaseModel):
    role: Annotated[Role, StorableText] = Field(description="The new role.")


class Account(CamelModel):
    """An account as admins see it."""

    username: str
    email: str
    role: Role
    active: bool = Field(description="False once deactivated: it cannot sign in.")
    email_verified: bool = Field(description="Whether the current email was verified by mail.")
    deactivated_at: Timestamp | None
    created_at: Timestamp


class AccountResponse(BaseModel):
    user: Account
