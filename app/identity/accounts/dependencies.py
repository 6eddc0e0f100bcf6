"""Route dependencies of the account administration endpoints."""

from typing import Annotated

from fastapi import Depends

from app.deps import SessionDep
from app.identity.users.dependencies import Username, user_named
from app.identity.users.models import User


async def get_user_by_username(username: Username, session: SessionDep) -> User:
    return await user_named(username, session, "user")


UserByUsername = Annotated[User, Depends(get_user_by_username)]
"""An account, for the admin endpoints (the profile's `404 profile` says `404 user` here)."""
