"""Links sent by mail: password reset and email verification.

The mail goes out after the response (`BackgroundTasks`), so neither the relay's speed nor
whether an account exists shows in the answer or its timing. The links point to the
frontend (FRONTEND_URL), whose page posts the link's `token` to the `…/confirm` endpoint:
a GET that changed state would be used up by mail scanners that follow links.
"""

from http import HTTPStatus

from fastapi import APIRouter, BackgroundTasks, Response

from app.core.errors import problem_responses
from app.deps import (
    ANONYMOUS_WRITE_LIMITED,
    CurrentUser,
    MailerDep,
    OriginDep,
    SessionDep,
    SettingsDep,
)
from app.identity.mail_links import password_reset
from app.identity.mail_links import verification as email_verification
from app.identity.mail_links.dependencies import MailThrottleDep
from app.identity.mail_links.schemas import (
    Accepted,
    EmailVerification,
    PasswordReset,
    PasswordResetRequest,
)

router = APIRouter(tags=["password reset and email verification"])

_THROTTLED = (
    "At most `MAIL_REQUEST_LIMIT` requests per email and client address within "
    "`MAIL_REQUEST_WINDOW_SECONDS` (429 with `Retry-After`), whether or not it is registered."
)
_LINK_ERRORS = problem_responses(HTTPStatus.BAD_REQUEST, HTTPStatus.UNPROCESSABLE_ENTITY)


@router.post(
    "/users/password-reset",
    status_code=HTTPStatus.ACCEPTED,
    summary="Mail a password reset link",
    description="The answer is the same whether or not the email is registered. " + _THROTTLED,
    responses=problem_responses(HTTPStatus.UNPROCESSABLE_ENTITY, HTTPStatus.TOO_MANY_REQUESTS),
)
async def request_password_reset(
    *,
    body: PasswordResetRequest,
    session: SessionDep,
    settings: SettingsDep,
    throttle: MailThrottleDep,
    origin: OriginDep,
    mailer: MailerDep,
    background: BackgroundTasks,
) -> Accepted:
    mail = await password_reset.request_reset(session, body.user.email, throttle, origin, settings)
    if mail is not None:
        background.add_task(mailer.deliver, mail)
    return Accepted(message="If this email is registered, a reset link is on its way.")


@router.post(
    "/users/password-reset/confirm",
    dependencies=ANONYMOUS_WRITE_LIMITED,
    status_code=HTTPStatus.NO_CONTENT,
    summary="Set a new password with the mailed link's token",
    description="The link works once, within `PASSWORD_RESET_TTL_MINUTES`. Every session of "
    "the account ends; sign in with the new password. A used, expired or unknown link is a 400.",
    responses=_LINK_ERRORS,
)
async def reset_password(body: PasswordReset, session: SessionDep, origin: OriginDep) -> Response:
    await password_reset.reset_password(session, body.token, body.password, origin)
    return Response(status_code=HTTPStatus.NO_CONTENT)


@router.post(
    "/user/email-verification",
    status_code=HTTPStatus.ACCEPTED,
    summary="Mail a new verification link to your address",
    description="Nothing is sent when the address is already verified. " + _THROTTLED,
    responses=problem_responses(HTTPStatus.UNAUTHORIZED, HTTPStatus.TOO_MANY_REQUESTS),
)
async def request_email_verification(
    *,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    throttle: MailThrottleDep,
    mailer: MailerDep,
    background: BackgroundTasks,
) -> Accepted:
    if user.email_verified_at is not None:
        return Accepted(message="Your email is already verified.")
    await throttle.reserve(session, user.email)
    mail = await email_verification.verification_mail(session, user, settings)
    background.add_task(mailer.deliver, mail)
    return Accepted(message="A verification link is on its way.")


@router.post(
    "/users/email-verification/confirm",
    dependencies=ANONYMOUS_WRITE_LIMITED,
    status_code=HTTPStatus.NO_CONTENT,
    summary="Verify your email with the mailed link's token",
    description="The link works once, within `EMAIL_VERIFICATION_TTL_HOURS`, and only while "
    "the account still has the address it was sent to. Otherwise 400.",
    responses=_LINK_ERRORS,
)
async def verify_email(body: EmailVerification, session: SessionDep, origin: OriginDep) -> Response:
    await email_verification.verify_email(session, body.token, origin)
    return Response(status_code=HTTPStatus.NO_CONTENT)
