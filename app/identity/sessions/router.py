"""Logging out, and the user's own sessions (`/users/logout`, `/user/sessions`).

Revocation takes effect at once: every authenticated request reads its session's state
in the same statement that loads the user.
"""

from http import HTTPStatus
from typing import Annotated

from fastapi import APIRouter, Path, Response

from app.core.errors import NotFound, problem_responses
from app.deps import CurrentSignIn, OriginDep, SessionDep
from app.identity.sessions import service as user_sessions
from app.identity.sessions.schemas import SessionListResponse, SessionSummary

router = APIRouter(tags=["sessions"])

SessionId = Annotated[int, Path(ge=1, le=2**63 - 1, description="A session id from the list.")]


@router.post(
    "/users/logout",
    status_code=HTTPStatus.NO_CONTENT,
    summary="Log out: end the session of this access token",
    description="Its access and refresh tokens stop working at once.",
    responses=problem_responses(HTTPStatus.UNAUTHORIZED),
)
async def logout(sign_in: CurrentSignIn, session: SessionDep, origin: OriginDep) -> Response:
    await user_sessions.log_out(session, sign_in.user, sign_in.session_id, origin)
    return Response(status_code=HTTPStatus.NO_CONTENT)


@router.get(
    "/user/sessions",
    summary="Your live sessions, most recently refreshed first",
    responses=problem_responses(HTTPStatus.UNAUTHORIZED),
)
async def list_sessions(sign_in: CurrentSignIn, session: SessionDep) -> SessionListResponse:
    live = await user_sessions.live_sessions(session, sign_in.user)
    return SessionListResponse(
        sessions=[
            SessionSummary(
                id=row.id,
                created_at=row.created_at,
                last_refreshed_at=row.last_refreshed_at,
                expires_at=row.expires_at,
                client_address=row.client_address,
                user_agent=row.user_agent,
                current=row.id == sign_in.session_id,
            )
            for row in live
        ]
    )


@router.delete(
    "/user/sessions",
    status_code=HTTPStatus.NO_CONTENT,
    summary="Log out everywhere: end every session of yours, this one included",
    responses=problem_responses(HTTPStatus.UNAUTHORIZED),
)
async def log_out_everywhere(
    sign_in: CurrentSignIn, session: SessionDep, origin: OriginDep
) -> Response:
    await user_sessions.log_out_everywhere(session, sign_in.user, origin)
    return Response(status_code=HTTPStatus.NO_CONTENT)


@router.delete(
    "/user/sessions/{session_id}",
    status_code=HTTPStatus.NO_CONTENT,
    summary="End one of your sessions (e.g. a lost device)",
    responses=problem_responses(
        HTTPStatus.UNAUTHORIZED, HTTPStatus.NOT_FOUND, HTTPStatus.UNPROCESSABLE_ENTITY
    ),
)
async def revoke_session(
    sign_in: CurrentSignIn, session_id: SessionId, session: SessionDep, origin: OriginDep
) -> Response:
    if not await user_sessions.revoke_session(session, sign_in.user, session_id, origin):
        raise NotFound("session")  # not yours, or already ended: the same answer
    return Response(status_code=HTTPStatus.NO_CONTENT)
