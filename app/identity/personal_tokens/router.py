"""Personal access tokens of the current user (`/user/tokens`): signed-in sessions only, so
a token cannot mint or list tokens."""

from datetime import timedelta
from http import HTTPStatus
from typing import Annotated

from fastapi import APIRouter, Path, Response

from app.core.errors import problem_responses
from app.deps import WRITE_LIMITED, CurrentSignIn, CurrentUser, OriginDep, SessionDep, SettingsDep
from app.identity.personal_tokens import service as personal_tokens
from app.identity.personal_tokens.models import PersonalAccessToken
from app.identity.personal_tokens.schemas import (
    IssuedToken,
    IssuedTokenResponse,
    NewToken,
    TokenListResponse,
    TokenSummary,
)
from app.identity.users import service as users

router = APIRouter(tags=["tokens"])

TokenId = Annotated[int, Path(ge=1, le=2**63 - 1)]


def _summary(row: PersonalAccessToken) -> TokenSummary:
    return TokenSummary.model_validate(row, from_attributes=True)


@router.post(
    "/user/tokens",
    status_code=HTTPStatus.CREATED,
    summary="Create a personal access token (its secret is shown once)",
    dependencies=WRITE_LIMITED,
    description=(
        "For scripts and services: send it as `Authorization: Bearer <token>`; it reaches the"
        " operations whose `x-token-scopes` include one of its scopes, as this account, until"
        " it expires or is revoked. Needs the password proven in this session within"
        f" `REAUTH_WINDOW_MINUTES` (else 403 `{users.REAUTHENTICATION_REQUIRED}`). 403 for"
        f" the admin scope without the admin role; 409 past"
        f" {personal_tokens.MAX_TOKENS_PER_ACCOUNT} live tokens."
    ),
    responses=problem_responses(
        HTTPStatus.UNAUTHORIZED,
        HTTPStatus.FORBIDDEN,
        HTTPStatus.CONFLICT,
        HTTPStatus.UNPROCESSABLE_ENTITY,
    ),
)
async def create_token(
    *,
    sign_in: CurrentSignIn,
    body: NewToken,
    session: SessionDep,
    settings: SettingsDep,
    origin: OriginDep,
) -> IssuedTokenResponse:
    window = timedelta(minutes=settings.reauth_window_minutes)
    await users.require_recent_sign_in(session, sign_in.session_id, window)
    issued = await personal_tokens.issue(
        session,
        sign_in.user,
        origin,
        name=body.name,
        scopes=body.scopes,
        lifetime=timedelta(days=body.expires_in_days),
    )
    summary = _summary(issued.row)
    return IssuedTokenResponse(token=IssuedToken(**summary.model_dump(), token=issued.secret))


@router.get(
    "/user/tokens",
    summary="The current user's personal access tokens (not their secrets)",
    responses=problem_responses(HTTPStatus.UNAUTHORIZED),
)
async def list_tokens(user: CurrentUser, session: SessionDep) -> TokenListResponse:
    rows = await personal_tokens.list_tokens(session, user.id)
    return TokenListResponse(tokens=[_summary(row) for row in rows])


@router.delete(
    "/user/tokens/{token_id}",
    status_code=HTTPStatus.NO_CONTENT,
    summary="Revoke a personal access token: it stops working with the next request",
    dependencies=WRITE_LIMITED,
    responses=problem_responses(
        HTTPStatus.UNAUTHORIZED, HTTPStatus.NOT_FOUND, HTTPStatus.UNPROCESSABLE_ENTITY
    ),
)
async def revoke_token(
    user: CurrentUser, token_id: TokenId, session: SessionDep, origin: OriginDep
) -> Response:
    await personal_tokens.revoke(session, user, token_id, origin)
    return Response(status_code=HTTPStatus.NO_CONTENT)
