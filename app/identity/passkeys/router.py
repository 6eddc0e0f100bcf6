"""Passkeys of the current user (`/user/passkeys`) and signing in with one
(`/users/login/passkey`)."""

from datetime import timedelta
from http import HTTPStatus
from typing import Annotated

from fastapi import APIRouter, Path, Response

from app.core.config import Settings
from app.core.errors import problem_responses
from app.deps import (
    ANONYMOUS_WRITE_LIMITED,
    WRITE_LIMITED,
    CurrentSignIn,
    CurrentUser,
    OriginDep,
    SessionDep,
    SettingsDep,
)
from app.identity.passkeys import service as passkeys
from app.identity.passkeys.models import Passkey
from app.identity.passkeys.schemas import (
    CeremonyOptions,
    NewPasskey,
    PasskeyListResponse,
    PasskeyResponse,
    PasskeySignIn,
    PasskeySummary,
)
from app.identity.sessions import service as user_sessions
from app.identity.sessions.schemas import SignedInResponse
from app.identity.users import service as users
from app.identity.users.responses import signed_in_response

router = APIRouter(tags=["passkeys"])

PasskeyId = Annotated[int, Path(ge=1, le=2**63 - 1)]
_VERIFIED = (
    "The answer is checked against the ceremony's challenge, `WEBAUTHN_ORIGINS` and"
    " `WEBAUTHN_RP_ID`, with user verification required; a ceremony is single use and lapses"
    " after `WEBAUTHN_CHALLENGE_TTL_SECONDS`."
)


def relying_party(settings: Settings) -> passkeys.RelyingParty:
    return passkeys.RelyingParty(
        id=settings.webauthn_rp_id,
        name=settings.webauthn_rp_name or settings.app_name,
        origins=settings.webauthn_origins,
        ceremony_ttl=timedelta(seconds=settings.webauthn_challenge_ttl_seconds),
    )


def _summary(passkey: Passkey) -> PasskeySummary:
    return PasskeySummary.model_validate(passkey, from_attributes=True)


@router.post(
    "/user/passkeys/registration",
    summary="Start registering a passkey: options for navigator.credentials.create",
    dependencies=WRITE_LIMITED,
    description=(
        "Needs the password proven in this session within `REAUTH_WINDOW_MINUTES` (else 403"
        f" `{users.REAUTHENTICATION_REQUIRED}`): a stolen access token cannot add a way in."
    ),
    responses=problem_responses(HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN),
)
async def begin_passkey_registration(
    sign_in: CurrentSignIn, session: SessionDep, settings: SettingsDep
) -> CeremonyOptions:
    window = timedelta(minutes=settings.reauth_window_minutes)
    await users.require_recent_sign_in(session, sign_in.session_id, window)
    ceremony = await passkeys.begin_registration(session, sign_in.user, relying_party(settings))
    return CeremonyOptions(ceremony=ceremony.token, options=ceremony.options)


@router.post(
    "/user/passkeys",
    status_code=HTTPStatus.CREATED,
    summary="Finish registering a passkey with the authenticator's answer",
    dependencies=WRITE_LIMITED,
    description=f"{_VERIFIED} 409 for a passkey already registered, or past"
    f" {passkeys.MAX_PASSKEYS_PER_ACCOUNT} per account.",
    responses=problem_responses(
        HTTPStatus.UNAUTHORIZED, HTTPStatus.CONFLICT, HTTPStatus.UNPROCESSABLE_ENTITY
    ),
)
async def register_passkey(
    *,
    user: CurrentUser,
    body: NewPasskey,
    session: SessionDep,
    settings: SettingsDep,
    origin: OriginDep,
) -> PasskeyResponse:
    passkey = await passkeys.finish_registration(
        session,
        user,
        relying_party(settings),
        origin,
        ceremony=body.ceremony,
        credential=body.credential,
        name=body.name,
    )
    return PasskeyResponse(passkey=_summary(passkey))


@router.get(
    "/user/passkeys",
    summary="The current user's passkeys",
    responses=problem_responses(HTTPStatus.UNAUTHORIZED),
)
async def list_passkeys(user: CurrentUser, session: SessionDep) -> PasskeyListResponse:
    found = await passkeys.list_passkeys(session, user.id)
    return PasskeyListResponse(passkeys=[_summary(passkey) for passkey in found])


@router.delete(
    "/user/passkeys/{passkey_id}",
    status_code=HTTPStatus.NO_CONTENT,
    summary="Remove a passkey: it no longer signs in",
    dependencies=WRITE_LIMITED,
    responses=problem_responses(
        HTTPStatus.UNAUTHORIZED, HTTPStatus.NOT_FOUND, HTTPStatus.UNPROCESSABLE_ENTITY
    ),
)
async def remove_passkey(
    user: CurrentUser, passkey_id: PasskeyId, session: SessionDep, origin: OriginDep
) -> Response:
    await passkeys.remove(session, user, passkey_id, origin)
    return Response(status_code=HTTPStatus.NO_CONTENT)


@router.post(
    "/users/login/passkey/options",
    summary="Start signing in with a passkey: options for navigator.credentials.get",
    dependencies=ANONYMOUS_WRITE_LIMITED,
    description="No username: the authenticator offers the passkeys it holds for this site.",
    responses=problem_responses(HTTPStatus.TOO_MANY_REQUESTS),
)
async def begin_passkey_sign_in(session: SessionDep, settings: SettingsDep) -> CeremonyOptions:
    ceremony = await passkeys.begin_sign_in(session, relying_party(settings))
    return CeremonyOptions(ceremony=ceremony.token, options=ceremony.options)


@router.post(
    "/users/login/passkey",
    summary="Sign in with a passkey: the authenticator's answer opens a session",
    dependencies=ANONYMOUS_WRITE_LIMITED,
    description=f"{_VERIFIED} A passkey with user verification is a second factor in itself:"
    " no TOTP code follows.",
    responses=problem_responses(
        HTTPStatus.UNAUTHORIZED,
        HTTPStatus.FORBIDDEN,
        HTTPStatus.UNPROCESSABLE_ENTITY,
        HTTPStatus.TOO_MANY_REQUESTS,
    ),
)
async def sign_in_with_passkey(
    body: PasskeySignIn, session: SessionDep, settings: SettingsDep, origin: OriginDep
) -> SignedInResponse:
    user = await passkeys.finish_sign_in(
        session,
        relying_party(settings),
        origin,
        ceremony=body.ceremony,
        credential=body.credential,
    )
    issued = await user_sessions.open_session(session, user, origin, settings)
    return signed_in_response(user, issued, settings)
