"""Registration, login and the current user (`/users`, `/user`)."""

from http import HTTPStatus
from typing import Annotated

from fastapi import APIRouter, Form

from app.core.errors import problem_responses
from app.core.security import create_access_token
from app.deps import (
    ANONYMOUS_WRITE_LIMITED,
    WRITE_LIMITED,
    CurrentUser,
    LoginThrottleDep,
    SessionDep,
    SettingsDep,
    TokenDep,
)
from app.models import User
from app.schemas.user import (
    AccessToken,
    AuthenticatedUser,
    LoginRequest,
    RegisterRequest,
    TokenRequest,
    UpdateUserRequest,
    UserResponse,
)
from app.services import users

router = APIRouter(tags=["users"])

_LOGIN_LIMITS = (
    "Repeated failures for one email from one address are answered with 429 and "
    "`Retry-After` until the window ends (`LOGIN_FAILURE_LIMIT`, `LOGIN_FAILURE_WINDOW_SECONDS`)."
)
_LOGIN_ERRORS = problem_responses(
    HTTPStatus.UNAUTHORIZED, HTTPStatus.UNPROCESSABLE_ENTITY, HTTPStatus.TOO_MANY_REQUESTS
)


def _user_response(user: User, token: str) -> UserResponse:
    return UserResponse(
        user=AuthenticatedUser(
            email=user.email,
            token=token,
            username=user.username,
            bio=user.bio,
            image=user.image,
        )
    )


@router.post(
    "/users",
    status_code=HTTPStatus.CREATED,
    summary="Register a new user",
    dependencies=ANONYMOUS_WRITE_LIMITED,
    responses=problem_responses(HTTPStatus.CONFLICT, HTTPStatus.UNPROCESSABLE_ENTITY),
)
async def register(
    body: RegisterRequest, session: SessionDep, settings: SettingsDep
) -> UserResponse:
    user = await users.register(session, body.user)
    return _user_response(user, create_access_token(user.id, settings))


@router.post(
    "/users/login",
    summary="Log in with email and password",
    description=_LOGIN_LIMITS,
    responses=_LOGIN_ERRORS,
)
async def login(
    body: LoginRequest, session: SessionDep, settings: SettingsDep, throttle: LoginThrottleDep
) -> UserResponse:
    user = await users.authenticate(session, body.user.email, body.user.password, throttle)
    return _user_response(user, create_access_token(user.id, settings))


@router.post(
    "/users/token",
    summary="OAuth2 password flow: email as `username`, returns a bearer token",
    description="For the **Authorize** button of the interactive docs and OAuth2 clients. "
    + _LOGIN_LIMITS,
    responses=_LOGIN_ERRORS,
)
async def issue_token(
    form: Annotated[TokenRequest, Form()],
    session: SessionDep,
    settings: SettingsDep,
    throttle: LoginThrottleDep,
) -> AccessToken:
    user = await users.authenticate(session, form.username, form.password, throttle)
    return AccessToken(
        access_token=create_access_token(user.id, settings),
        expires_in=settings.access_token_ttl_minutes * 60,
    )


@router.get(
    "/user",
    summary="The current user",
    responses=problem_responses(HTTPStatus.UNAUTHORIZED),
)
async def current_user(user: CurrentUser, token: TokenDep) -> UserResponse:
    # The token the request was authenticated with is still valid: no need to sign another.
    return _user_response(user, token or "")


@router.put(
    "/user",
    summary="Update the current user",
    dependencies=WRITE_LIMITED,
    responses=problem_responses(
        HTTPStatus.UNAUTHORIZED, HTTPStatus.CONFLICT, HTTPStatus.UNPROCESSABLE_ENTITY
    ),
)
async def update_current_user(
    user: CurrentUser, body: UpdateUserRequest, session: SessionDep, settings: SettingsDep
) -> UserResponse:
    user = await users.update(session, user, body.user)
    return _user_response(user, create_access_token(user.id, settings))
