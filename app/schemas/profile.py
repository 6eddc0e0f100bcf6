"""Public profiles, as seen by a given viewer."""

from pydantic import BaseModel


class Profile(BaseModel):
    username: str
    bio: str | None
    image: str | None
    following: bool  # whether the viewer follows this user; false for anonymous viewers


class ProfileResponse(BaseModel):
    profile: Profile
