"""Public profiles and following (`/profiles/{username}`)."""

from http import HTTPStatus

from fastapi import APIRouter

from app.core.auth import ANONYMOUS_ALLOWED
from app.core.errors import problem_responses
from app.deps import CurrentUser, OptionalUser, ProfileUser, SessionDep
from app.schemas.profile import ProfileResponse
from app.services import profiles

router = APIRouter(prefix="/profiles/{username}", tags=["profiles"])
_ERRORS = problem_responses(
    HTTPStatus.UNAUTHORIZED, HTTPStatus.NOT_FOUND, HTTPStatus.UNPROCESSABLE_ENTITY
)


@router.get(
    "", summary="A user's public profile", responses=_ERRORS, openapi_extra=ANONYMOUS_ALLOWED
)
async def get_profile(
    viewer: OptionalUser, user: ProfileUser, session: SessionDep
) -> ProfileResponse:
    return ProfileResponse(profile=await profiles.view(session, viewer, user))


@router.post(
    "/follow",
    summary="Follow a user",
    description="Idempotent: following twice is not an error. Following yourself is a no-op "
    "that returns your profile with `following: false`.",
    responses=_ERRORS,
)
async def follow(user: CurrentUser, followee: ProfileUser, session: SessionDep) -> ProfileResponse:
    return ProfileResponse(profile=await profiles.follow(session, user, followee))


@router.delete(
    "/follow",
    summary="Stop following a user",
    description="Idempotent: unfollowing someone you do not follow is not an error.",
    responses=_ERRORS,
)
async def unfollow(
    user: CurrentUser, followee: ProfileUser, session: SessionDep
) -> ProfileResponse:
    return ProfileResponse(profile=await profiles.unfollow(session, user, followee))
