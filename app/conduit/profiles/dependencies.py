"""Route dependencies of the profiles feature: the profile at `{username}`."""

from typing import Annotated

from fastapi import Depends

from app.deps import SessionDep
from app.identity.users.dependencies import Username, user_named_to_read
from app.identity.users.models import User


async def get_profile_user(username: Username, session: SessionDep) -> User:
    return await user_named_to_read(username, session, "profile")


ProfileUser = Annotated[User, Depends(get_profile_user)]
"""The account whose profile is at {username} (404 profile)."""
