"""Admin operations on accounts (`/admin/users/{username}`): roles and deactivation.

Every route takes `Admin` first: 401 without a valid token, 403 for anyone below admin,
and only then 404 for an unknown username (so non-admins learn nothing about accounts).
"""

from http import HTTPStatus

from fastapi import APIRouter

from app.core.auth import Role
from app.core.errors import problem_responses
from app.deps import Admin, OriginDep, SessionDep
from app.identity.accounts import service as accounts
from app.identity.accounts.dependencies import UserByUsername
from app.identity.accounts.schemas import Account, AccountResponse, RoleChange
from app.identity.users.models import User

router = APIRouter(prefix="/admin", tags=["admin"])

_ERRORS = problem_responses(
    HTTPStatus.UNAUTHORIZED,
    HTTPStatus.FORBIDDEN,
    HTTPStatus.NOT_FOUND,
    HTTPStatus.UNPROCESSABLE_ENTITY,
)
# A demotion or deactivation that would leave no active admin.
_ENDING_ERRORS = problem_responses(
    HTTPStatus.UNAUTHORIZED,
    HTTPStatus.FORBIDDEN,
    HTTPStatus.NOT_FOUND,
    HTTPStatus.CONFLICT,
    HTTPStatus.UNPROCESSABLE_ENTITY,
)
_NOT_YOURSELF = "An admin cannot do this to their own account (403); another admin can."
_LAST_ADMIN = "Changes are decided one at a time; none may leave no active admin (409)."


def _present(user: User) -> AccountResponse:
    return AccountResponse(
        user=Account(
            username=user.username,
            email=user.email,
            role=Role(user.role),
            active=user.deactivated_at is None,
            email_verified=user.email_verified_at is not None,
            deactivated_at=user.deactivated_at,
            created_at=user.created_at,
        )
    )


@router.get("/users/{username}", summary="An account: role and state", responses=_ERRORS)
async def get_account(admin: Admin, target: UserByUsername) -> AccountResponse:
    return _present(target)


@router.put(
    "/users/{username}/role",
    summary="Change an account's role",
    description=f"{_NOT_YOURSELF} {_LAST_ADMIN}",
    responses=_ENDING_ERRORS,
)
async def change_role(
    admin: Admin, target: UserByUsername, body: RoleChange, session: SessionDep, origin: OriginDep
) -> AccountResponse:
    return _present(await accounts.change_role(session, admin, target, body.role, origin))


@router.post(
    "/users/{username}/deactivate",
    summary="Deactivate an account: its sessions end at once, it cannot sign in",
    description=f"Idempotent. {_NOT_YOURSELF} {_LAST_ADMIN}",
    responses=_ENDING_ERRORS,
)
async def deactivate(
    admin: Admin, target: UserByUsername, session: SessionDep, origin: OriginDep
) -> AccountResponse:
    return _present(await accounts.deactivate(session, admin, target, origin))


@router.post(
    "/users/{username}/reactivate",
    summary="Reactivate an account: it may sign in again",
    description=f"Idempotent. Its old sessions stay ended. {_NOT_YOURSELF}",
    responses=_ERRORS,
)
async def reactivate(
    admin: Admin, target: UserByUsername, session: SessionDep, origin: OriginDep
) -> AccountResponse:
    return _present(await accounts.reactivate(session, admin, target, origin))
