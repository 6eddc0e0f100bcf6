"""Profiles, version 2 (`/api/v2/profiles/{username}`): the profile itself, no envelope.

What changed from v1 (`{"profile": {...}}`): the body is the profile object, and it says
how many users follow the profile. Same loading, same errors, same services.
"""

from http import HTTPStatus

from fastapi import APIRouter

from app.conduit.profiles import service as profiles
from app.conduit.profiles.dependencies import ProfileUser
from app.conduit.profiles.schemas import ProfileV2
from app.core.auth import ANONYMOUS_ALLOWED
from app.core.errors import problem_responses
from app.deps import OptionalProfileReader, SessionDep

router = APIRouter(prefix="/profiles/{username}", tags=["profiles v2"])


@router.get(
    "",
    summary="A user's public profile (v2: no envelope, with the follower count)",
    name="get_profile_v2",
    responses=problem_responses(HTTPStatus.NOT_FOUND, HTTPStatus.UNPROCESSABLE_ENTITY)
    | problem_responses(HTTPStatus.UNAUTHORIZED),
    openapi_extra=ANONYMOUS_ALLOWED,
)
async def get_profile(
    viewer: OptionalProfileReader, user: ProfileUser, session: SessionDep
) -> ProfileV2:
    return await profiles.view_v2(session, viewer, user)
