"""Public profiles, as seen by a given viewer."""

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class Profile(BaseModel):
    username: str
    bio: str | None
    image: str | None
    following: bool  # whether the viewer follows this user; false for anonymous viewers


class ProfileResponse(BaseModel):
    profile: Profile


class ProfileV2(Profile):
    """Version 2 (`/api/v2/profiles/{username}`): unwrapped, with the follower count."""

    model_config = ConfigDict(alias_generator=to_camel, validate_by_name=True)

    followers_count: int = Field(ge=0)
