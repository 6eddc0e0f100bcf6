"""Public profiles and following (`/profiles/{username}`)."""

from datetime import UTC, datetime
from http import HTTPStatus

from fastapi import APIRouter, Depends

from app.conduit.profiles import service as profiles
from app.conduit.profiles.dependencies import ProfileUser
from app.conduit.profiles.schemas import ProfileResponse
from app.core.auth import ANONYMOUS_ALLOWED
from app.core.errors import problem_responses
from app.core.versioning import Retirement
from app.deps import WRITE_LIMITED, OptionalProfileReader, ProfileWriter, SessionDep

# Version 1 of this read is retired in favour of /api/v2 (docs/versioning.md): it keeps
# answering, with Deprecation, Sunset and successor-version Link headers, until the sunset.
GET_PROFILE_RETIREMENT = Retirement(
    deprecated_at=datetime(2026, 12, 1, tzinfo=UTC),
    sunset_at=datetime(2027, 6, 30, tzinfo=UTC),
    successor="/api/v2/profiles/{username}",
)
_RETIRED = GET_PROFILE_RETIREMENT.openapi()

router = APIRouter(prefix="/profiles/{username}", tags=["profiles"])
_ERRORS = problem_responses(
    HTTPStatus.UNAUTHORIZED, HTTPStatus.NOT_FOUND, HTTPStatus.UNPROCESSABLE_ENTITY
)


@router.get(
    "",
    summary="A user's public profile (deprecated: see /api/v2/profiles/{username})",
    responses=_ERRORS | _RETIRED["responses"],
    deprecated=_RETIRED["deprecated"],
    dependencies=[Depends(GET_PROFILE_RETIREMENT.dependency())],
    openapi_extra=ANONYMOUS_ALLOWED,
)
async def get_profile(
    viewer: OptionalProfileReader, user: ProfileUser, session: SessionDep
) -> ProfileResponse:
    return ProfileResponse(profile=await profiles.view(session, viewer, user))


@router.post(
    "/follow",
    summary="Follow a user",
    dependencies=WRITE_LIMITED,
    description="Idempotent: following twice is not an error. Following yourself is a no-op "
    "that returns your profile with `following: false`.",
    responses=_ERRORS,
)
async def follow(
    user: ProfileWriter, followee: ProfileUser, session: SessionDep
) -> ProfileResponse:
    return ProfileResponse(profile=await profiles.follow(session, user, followee))


@router.delete(
    "/follow",
    summary="Stop following a user",
    dependencies=WRITE_LIMITED,
    description="Idempotent: unfollowing someone you do not follow is not an error.",
    responses=_ERRORS,
)
async def unfollow(
    user: ProfileWriter, followee: ProfileUser, session: SessionDep
) -> ProfileResponse:
    return ProfileResponse(profile=await profiles.unfollow(session, user, followee))
