"""Sign-in with an OpenID Connect provider (`/users/login/oidc`) and the current user's
linked provider accounts (`/user/oidc`)."""

from datetime import timedelta
from http import HTTPStatus
from typing import Annotated

from fastapi import APIRouter, Path, Response

from app.core.config import Settings
from app.core.errors import problem_responses
from app.core.outbound_http import HttpClientDep
from app.deps import (
    ANONYMOUS_WRITE_LIMITED,
    WRITE_LIMITED,
    CurrentSignIn,
    CurrentUser,
    OriginDep,
    SessionDep,
    SettingsDep,
)
from app.identity.oidc import service as oidc
from app.identity.oidc.models import OidcIdentity
from app.identity.oidc.schemas import (
    AuthorizationRedirect,
    LinkedIdentity,
    LinkedIdentityList,
    LinkedIdentityResponse,
    ProviderAnswer,
)
from app.identity.sessions import service as user_sessions
from app.identity.sessions.schemas import SignedInResponse
from app.identity.two_factor.schemas import SignInProblem
from app.identity.users import service as users
from app.identity.users.responses import signed_in_response

router = APIRouter(tags=["oidc"])

IdentityId = Annotated[int, Path(ge=1, le=2**63 - 1)]
_PROVIDER_DOWN = (HTTPStatus.BAD_GATEWAY, HTTPStatus.GATEWAY_TIMEOUT)
_FLOW = (
    "The provider sends the browser back to `OIDC_REDIRECT_URI` with `code` and `state`;"
    " the page posts both here. The state is single use and lapses after"
    " `OIDC_FLOW_TTL_SECONDS`; the code is exchanged with the PKCE verifier, and the ID"
    " token is checked (signature by the provider's published keys, issuer, audience,"
    " expiry, nonce)."
)


def _redirect(url: str, settings: Settings) -> AuthorizationRedirect:
    return AuthorizationRedirect(authorization_url=url, expires_in=settings.oidc_flow_ttl_seconds)


def _identity(identity: OidcIdentity) -> LinkedIdentity:
    return LinkedIdentity.model_validate(identity, from_attributes=True)


@router.post(
    "/users/login/oidc",
    summary="Start signing in with the OpenID Connect provider: where to send the browser",
    dependencies=ANONYMOUS_WRITE_LIMITED,
    description="404 while `OIDC_ISSUER` is not set.",
    responses=problem_responses(
        HTTPStatus.NOT_FOUND, HTTPStatus.TOO_MANY_REQUESTS, *_PROVIDER_DOWN
    ),
)
async def begin_oidc_sign_in(
    session: SessionDep, settings: SettingsDep, client: HttpClientDep
) -> AuthorizationRedirect:
    return _redirect(await oidc.begin(session, client, settings, None), settings)


@router.post(
    "/users/login/oidc/callback",
    summary="Finish signing in with the OpenID Connect provider",
    dependencies=ANONYMOUS_WRITE_LIMITED,
    description=(
        f"{_FLOW} The provider account signs in the account it is linked to, or the account"
        " with its email when the provider says the email is verified (linking it); otherwise"
        " 403. An account with two-factor on answers 403 `two-factor-required` with a"
        " challenge, as a password login does."
    ),
    responses=problem_responses(
        HTTPStatus.UNAUTHORIZED,
        HTTPStatus.FORBIDDEN,
        HTTPStatus.NOT_FOUND,
        HTTPStatus.CONFLICT,
        HTTPStatus.UNPROCESSABLE_ENTITY,
        HTTPStatus.TOO_MANY_REQUESTS,
        *_PROVIDER_DOWN,
        models={HTTPStatus.FORBIDDEN: SignInProblem},
    ),
)
async def finish_oidc_sign_in(
    *,
    body: ProviderAnswer,
    session: SessionDep,
    settings: SettingsDep,
    client: HttpClientDep,
    origin: OriginDep,
) -> SignedInResponse:
    user = await oidc.sign_in(session, client, settings, origin, code=body.code, state=body.state)
    issued = await user_sessions.open_session(session, user, origin, settings)
    return signed_in_response(user, issued, settings)


@router.post(
    "/user/oidc",
    summary="Start linking a provider account to this one: where to send the browser",
    dependencies=WRITE_LIMITED,
    description=(
        "Needs the password proven in this session within `REAUTH_WINDOW_MINUTES` (else 403"
        f" `{users.REAUTHENTICATION_REQUIRED}`). Finished by `POST /api/user/oidc/callback`"
        " with this same account's token (a link started by one account cannot be finished"
        " in another's browser)."
    ),
    responses=problem_responses(
        HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN, HTTPStatus.NOT_FOUND, *_PROVIDER_DOWN
    ),
)
async def begin_oidc_link(
    sign_in: CurrentSignIn, session: SessionDep, settings: SettingsDep, client: HttpClientDep
) -> AuthorizationRedirect:
    window = timedelta(minutes=settings.reauth_window_minutes)
    await users.require_recent_sign_in(session, sign_in.session_id, window)
    return _redirect(await oidc.begin(session, client, settings, sign_in.user), settings)


@router.post(
    "/user/oidc/callback",
    status_code=HTTPStatus.CREATED,
    summary="Finish linking a provider account to this one",
    dependencies=WRITE_LIMITED,
    description=f"{_FLOW} 409 when the provider account is linked to another account.",
    responses=problem_responses(
        HTTPStatus.UNAUTHORIZED,
        HTTPStatus.NOT_FOUND,
        HTTPStatus.CONFLICT,
        HTTPStatus.UNPROCESSABLE_ENTITY,
        *_PROVIDER_DOWN,
    ),
)
async def finish_oidc_link(
    *,
    user: CurrentUser,
    body: ProviderAnswer,
    session: SessionDep,
    settings: SettingsDep,
    client: HttpClientDep,
    origin: OriginDep,
) -> LinkedIdentityResponse:
    identity = await oidc.link(
        session, client, settings, user, origin, code=body.code, state=body.state
    )
    return LinkedIdentityResponse(identity=_identity(identity))


@router.get(
    "/user/oidc",
    summary="The provider accounts linked to this one",
    responses=problem_responses(HTTPStatus.UNAUTHORIZED),
)
async def list_oidc_identities(user: CurrentUser, session: SessionDep) -> LinkedIdentityList:
    return LinkedIdentityList(
        identities=[_identity(found) for found in await oidc.identities(session, user.id)]
    )


@router.delete(
    "/user/oidc/{identity_id}",
    status_code=HTTPStatus.NO_CONTENT,
    summary="Unlink a provider account: it no longer signs in here",
    dependencies=WRITE_LIMITED,
    responses=problem_responses(
        HTTPStatus.UNAUTHORIZED, HTTPStatus.NOT_FOUND, HTTPStatus.UNPROCESSABLE_ENTITY
    ),
)
async def unlink_oidc_identity(
    user: CurrentUser, identity_id: IdentityId, session: SessionDep, origin: OriginDep
) -> Response:
    await oidc.unlink(session, user, identity_id, origin)
    return Response(status_code=HTTPStatus.NO_CONTENT)
