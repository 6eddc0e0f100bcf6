"""Registration, sign-in, refresh and the current user (`/users`, `/user`)."""

from datetime import timedelta
from http import HTTPStatus
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, Response

from app.core.auth import create_access_token
from app.core.config import Settings
from app.core.errors import FieldErrors, InvalidInput, problem_responses
from app.core.schemas import BLANK_MESSAGE
from app.deps import (
    ANONYMOUS_WRITE_LIMITED,
    WRITE_LIMITED,
    CurrentSignIn,
    MailerDep,
    OriginDep,
    ProfileReader,
    SessionDep,
    SettingsDep,
    TokenDep,
)
from app.identity.mail_links import verification as email_verification
from app.identity.sessions import service as user_sessions
from app.identity.sessions.schemas import RefreshRequest, SignedInResponse
from app.identity.two_factor import service as two_factor
from app.identity.two_factor.router import second_factor
from app.identity.two_factor.schemas import SignInProblem, TwoFactorSignIn
from app.identity.users import service as users
from app.identity.users.dependencies import LoginThrottleDep
from app.identity.users.responses import signed_in_response, user_response
from app.identity.users.schemas import (
    AccessToken,
    LoginRequest,
    ReauthenticationRequest,
    RegisterRequest,
    TokenRequest,
    UpdateUserRequest,
    UserResponse,
)

router = APIRouter(tags=["users"])

_LOGIN_LIMITS = (
    "Repeated failures for one email from one address are answered with 429 and "
    "`Retry-After` until the window ends (`LOGIN_FAILURE_LIMIT`, `LOGIN_FAILURE_WINDOW_SECONDS`)."
)
_TWO_FACTOR = (
    "An account with two-factor sign-in on answers a right password with 403 of type "
    f"`{two_factor.TWO_FACTOR_REQUIRED}` carrying `challenge`: send its token and a code to "
    "`POST /api/users/login/two-factor`."
)
_LOGIN_ERRORS = problem_responses(
    HTTPStatus.UNAUTHORIZED,
    # The account is deactivated, or needs its second factor (said only after the right
    # password).
    HTTPStatus.FORBIDDEN,
    HTTPStatus.UNPROCESSABLE_ENTITY,
    HTTPStatus.TOO_MANY_REQUESTS,
    models={HTTPStatus.FORBIDDEN: SignInProblem},
)
_SESSION_OPENED = "Opens a session: `session.refreshToken` renews the access token (`user.token`)."
_VERIFICATION_MAILED = "When mail is configured, a link to verify the email is mailed."


@router.post(
    "/users",
    status_code=HTTPStatus.CREATED,
    summary="Register a new user",
    dependencies=ANONYMOUS_WRITE_LIMITED,
    description=f"{_SESSION_OPENED} {_VERIFICATION_MAILED}",
    responses=problem_responses(HTTPStatus.CONFLICT, HTTPStatus.UNPROCESSABLE_ENTITY),
)
async def register(
    *,
    body: RegisterRequest,
    session: SessionDep,
    settings: SettingsDep,
    origin: OriginDep,
    mailer: MailerDep,
    background: BackgroundTasks,
) -> SignedInResponse:
    user = await users.register(session, body.user, origin)
    issued = await user_sessions.open_session(session, user, origin, settings)
    if mailer.enabled:  # a verification link, mailed after the response
        mail = await email_verification.verification_mail(session, user, settings)
        background.add_task(mailer.deliver, mail)
    return signed_in_response(user, issued, settings)


@router.post(
    "/users/login",
    summary="Log in with email and password",
    description=f"{_SESSION_OPENED} {_LOGIN_LIMITS} {_TWO_FACTOR}",
    responses=_LOGIN_ERRORS,
)
async def login(
    body: LoginRequest,
    session: SessionDep,
    settings: SettingsDep,
    throttle: LoginThrottleDep,
    origin: OriginDep,
) -> SignedInResponse:
    credentials = body.user
    user = await users.authenticate(
        session,
        credentials.email,
        credentials.password,
        throttle,
        origin,
        challenge_ttl=_challenge_ttl(settings),
    )
    issued = await user_sessions.open_session(session, user, origin, settings)
    return signed_in_response(user, issued, settings)


def _challenge_ttl(settings: Settings) -> timedelta:
    return timedelta(seconds=settings.two_factor_challenge_ttl_seconds)


@router.post(
    "/users/login/two-factor",
    summary="The code step of a two-factor sign-in",
    dependencies=ANONYMOUS_WRITE_LIMITED,
    description=(
        f"{_SESSION_OPENED} The challenge is single use and lapses after"
        " `TWO_FACTOR_CHALLENGE_TTL_SECONDS`, or after `TWO_FACTOR_CHALLENGE_ATTEMPTS` wrong"
        " codes (then log in with the password again). Wrong codes count as failed logins of"
        " the account. " + _LOGIN_LIMITS
    ),
    responses=problem_responses(
        HTTPStatus.UNAUTHORIZED,
        HTTPStatus.FORBIDDEN,
        HTTPStatus.UNPROCESSABLE_ENTITY,
        HTTPStatus.TOO_MANY_REQUESTS,
    ),
)
async def login_second_factor(
    body: TwoFactorSignIn,
    session: SessionDep,
    settings: SettingsDep,
    throttle: LoginThrottleDep,
    origin: OriginDep,
) -> SignedInResponse:
    user = await two_factor.complete_sign_in(
        session,
        body.challenge,
        second_factor(body),
        throttle,
        origin,
        keys=settings.two_factor_keys,
        attempts=settings.two_factor_challenge_attempts,
    )
    issued = await user_sessions.open_session(session, user, origin, settings)
    return signed_in_response(user, issued, settings)


@router.post(
    "/users/refresh",
    summary="Trade a refresh token for a new access token and a new refresh token",
    dependencies=ANONYMOUS_WRITE_LIMITED,
    description="The refresh token is single use: presenting one that was already used is "
    "taken as theft and revokes its whole session (401 `was already used`).",
    responses=problem_responses(HTTPStatus.UNAUTHORIZED, HTTPStatus.UNPROCESSABLE_ENTITY),
)
async def refresh(
    body: RefreshRequest, session: SessionDep, settings: SettingsDep, origin: OriginDep
) -> SignedInResponse:
    user, issued = await user_sessions.rotate_refresh_token(
        session, body.refresh_token, origin, settings
    )
    return signed_in_response(user, issued, settings)


def _blank(*fields: str) -> FieldErrors:
    return {field: [BLANK_MESSAGE] for field in fields}


@router.post(
    "/users/token",
    summary="OAuth2 token endpoint: password grant (email as `username`) or refresh grant",
    description="For the **Authorize** button of the interactive docs and OAuth2 clients. "
    "`grant_type=password` opens a session; `grant_type=refresh_token` (RFC 6749, section 6) "
    "rotates its refresh token. " + _LOGIN_LIMITS + " " + _TWO_FACTOR,
    responses=_LOGIN_ERRORS,
)
async def issue_token(
    form: Annotated[TokenRequest, Form()],
    session: SessionDep,
    settings: SettingsDep,
    throttle: LoginThrottleDep,
    origin: OriginDep,
) -> AccessToken:
    if form.grant_type == "refresh_token":
        if form.refresh_token is None:
            raise InvalidInput("The refresh grant needs a refresh_token.", _blank("refresh_token"))
        user, issued = await user_sessions.rotate_refresh_token(
            session, form.refresh_token, origin, settings
        )
    else:
        if form.username is None or form.password is None:
            missing = [name for name in ("username", "password") if getattr(form, name) is None]
            raise InvalidInput("The password grant needs both fields.", _blank(*missing))
        user = await users.authenticate(
            session,
            form.username,
            form.password,
            throttle,
            origin,
            challenge_ttl=_challenge_ttl(settings),
        )
        issued = await user_sessions.open_session(session, user, origin, settings)
    return AccessToken(
        access_token=create_access_token(user.id, issued.session_id, settings),
        expires_in=settings.access_token_ttl_minutes * 60,
        refresh_token=issued.refresh_token,
    )


@router.get(
    "/user",
    summary="The current user",
    responses=problem_responses(HTTPStatus.UNAUTHORIZED),
)
async def current_user(user: ProfileReader, token: TokenDep) -> UserResponse:
    # The token the request was authenticated with is still valid: no need to sign another.
    return user_response(user, token or "")


@router.put(
    "/user",
    summary="Update the current user",
    dependencies=WRITE_LIMITED,
    description=(
        "A new password ends every other session of the user; this one continues. A new"
        " email or password needs the password proven in this session within"
        " `REAUTH_WINDOW_MINUTES` (10): otherwise 403 with the problem type"
        f" `{users.REAUTHENTICATION_REQUIRED}`; `POST /api/user/reauthenticate`, then retry."
        " A new email is told to the old address by mail."
    ),
    responses=problem_responses(
        HTTPStatus.UNAUTHORIZED,
        HTTPStatus.FORBIDDEN,
        HTTPStatus.CONFLICT,
        HTTPStatus.UNPROCESSABLE_ENTITY,
    ),
)
async def update_current_user(
    *,
    sign_in: CurrentSignIn,
    body: UpdateUserRequest,
    session: SessionDep,
    settings: SettingsDep,
    origin: OriginDep,
    mailer: MailerDep,
    background: BackgroundTasks,
) -> UserResponse:
    old_email = sign_in.user.email
    user = await users.update(
        session,
        sign_in.user,
        body.user,
        origin,
        current_session_id=sign_in.session_id,
        reauth_window=timedelta(minutes=settings.reauth_window_minutes),
    )
    if mailer.enabled and user.email.lower() != old_email.lower():  # told after the response
        notice = email_verification.email_change_notice(user.username, old_email, user.email)
        background.add_task(mailer.deliver, notice)
    return user_response(user, create_access_token(user.id, sign_in.session_id, settings))


@router.post(
    "/user/reauthenticate",
    status_code=HTTPStatus.NO_CONTENT,
    summary="Prove the password again, for a change that needs a recent sign-in",
    description=(
        "The session may then change the email or the password for"
        " `REAUTH_WINDOW_MINUTES`. Throttled as logins are."
    ),
    responses=problem_responses(
        HTTPStatus.UNAUTHORIZED,
        HTTPStatus.UNPROCESSABLE_ENTITY,
        HTTPStatus.TOO_MANY_REQUESTS,
    ),
)
async def reauthenticate(
    sign_in: CurrentSignIn,
    body: ReauthenticationRequest,
    session: SessionDep,
    throttle: LoginThrottleDep,
    origin: OriginDep,
) -> Response:
    await users.reauthenticate(
        session, sign_in.user, body.user.password, throttle, origin, session_id=sign_in.session_id
    )
    return Response(status_code=HTTPStatus.NO_CONTENT)
