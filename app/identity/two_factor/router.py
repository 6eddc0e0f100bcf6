"""Two-factor sign-in of the current user (`/user/two-factor`); the code step of a sign-in
is `POST /users/login/two-factor`, beside login (app/identity/users/router.py)."""

from datetime import timedelta
from http import HTTPStatus

from fastapi import APIRouter, Response

from app.core.errors import InvalidInput, problem_responses
from app.deps import WRITE_LIMITED, CurrentSignIn, CurrentUser, OriginDep, SessionDep, SettingsDep
from app.identity.two_factor import service as two_factor
from app.identity.two_factor.schemas import Enrolment as EnrolmentBody
from app.identity.two_factor.schemas import (
    EnrolmentCode,
    RecoveryCodes,
    SecondFactorProof,
    TwoFactorStatus,
)
from app.identity.users import service as users
from app.identity.users.dependencies import LoginThrottleDep

router = APIRouter(tags=["two-factor"])

_PROVE = (
    "Proven with a fresh code from the authenticator app (`code`) or a recovery code "
    "(`recoveryCode`): throttled as logins are, a code is accepted once."
)


def second_factor(proof: SecondFactorProof) -> two_factor.SecondFactor:
    """The factor sent, or a 422 unless exactly one of `code` and `recoveryCode` is."""
    given = proof.model_fields_set & {"code", "recovery_code"}
    if len(given) != 1:
        message = "can't be blank" if not given else "send either code or recoveryCode"
        raise InvalidInput(
            "Send a code from the authenticator app, or a recovery code.",
            {"code": [message]},
        )
    return two_factor.SecondFactor(code=proof.code, recovery_code=proof.recovery_code)


@router.get(
    "/user/two-factor",
    summary="Whether two-factor sign-in is on, and the recovery codes left",
    responses=problem_responses(HTTPStatus.UNAUTHORIZED),
)
async def two_factor_status(user: CurrentUser, session: SessionDep) -> TwoFactorStatus:
    found = await two_factor.state(session, user.id)
    return TwoFactorStatus(
        enabled=found.enabled,
        pending=found.pending,
        recovery_codes_left=found.recovery_codes_left,
    )


@router.post(
    "/user/two-factor",
    status_code=HTTPStatus.CREATED,
    summary="Enrol an authenticator app: a new TOTP secret, confirmed by its first code",
    dependencies=WRITE_LIMITED,
    description=(
        "Needs the password proven in this session within `REAUTH_WINDOW_MINUTES` (else 403"
        f" `{users.REAUTHENTICATION_REQUIRED}`): a stolen access token cannot lock the owner"
        " out with an authenticator of its own. Nothing changes at sign-in until"
        " `POST /api/user/two-factor/confirm` with a code; enrolling again before that"
        " replaces the secret. 409 when two-factor is already on."
    ),
    responses=problem_responses(HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN, HTTPStatus.CONFLICT),
)
async def enrol(
    sign_in: CurrentSignIn, session: SessionDep, settings: SettingsDep
) -> EnrolmentBody:
    window = timedelta(minutes=settings.reauth_window_minutes)
    await users.require_recent_sign_in(session, sign_in.session_id, window)
    enrolment = await two_factor.begin_enrolment(
        session, sign_in.user, settings.two_factor_keys, settings.app_name
    )
    return EnrolmentBody(secret=enrolment.secret, otpauth_uri=enrolment.uri)


@router.post(
    "/user/two-factor/confirm",
    summary="Turn two-factor sign-in on with the first code; returns the recovery codes",
    dependencies=WRITE_LIMITED,
    responses=problem_responses(
        HTTPStatus.UNAUTHORIZED, HTTPStatus.CONFLICT, HTTPStatus.UNPROCESSABLE_ENTITY
    ),
)
async def confirm(
    user: CurrentUser,
    body: EnrolmentCode,
    session: SessionDep,
    settings: SettingsDep,
    origin: OriginDep,
) -> RecoveryCodes:
    recovery_codes = await two_factor.confirm_enrolment(
        session, user, body.code, settings.two_factor_keys, origin
    )
    return RecoveryCodes(recovery_codes=recovery_codes)


_PROOF_ERRORS = problem_responses(
    HTTPStatus.UNAUTHORIZED,
    HTTPStatus.CONFLICT,
    HTTPStatus.UNPROCESSABLE_ENTITY,
    HTTPStatus.TOO_MANY_REQUESTS,
)


@router.post(
    "/user/two-factor/recovery-codes",
    summary="Replace the recovery codes (the old ones stop working)",
    dependencies=WRITE_LIMITED,
    description=_PROVE,
    responses=_PROOF_ERRORS,
)
async def replace_recovery_codes(
    *,
    user: CurrentUser,
    body: SecondFactorProof,
    session: SessionDep,
    settings: SettingsDep,
    throttle: LoginThrottleDep,
    origin: OriginDep,
) -> RecoveryCodes:
    recovery_codes = await two_factor.replace_recovery_codes(
        session, user, second_factor(body), throttle, origin, keys=settings.two_factor_keys
    )
    return RecoveryCodes(recovery_codes=recovery_codes)


@router.post(
    "/user/two-factor/disable",
    status_code=HTTPStatus.NO_CONTENT,
    summary="Turn two-factor sign-in off",
    dependencies=WRITE_LIMITED,
    description=f"{_PROVE} The secret and the recovery codes are deleted.",
    responses=_PROOF_ERRORS,
)
async def disable(
    *,
    user: CurrentUser,
    body: SecondFactorProof,
    session: SessionDep,
    settings: SettingsDep,
    throttle: LoginThrottleDep,
    origin: OriginDep,
) -> Response:
    await two_factor.disable(
        session, user, second_factor(body), throttle, origin, keys=settings.two_factor_keys
    )
    return Response(status_code=HTTPStatus.NO_CONTENT)
