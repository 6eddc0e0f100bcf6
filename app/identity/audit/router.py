"""The audit log, for admins (`/admin/audit-events`)."""

from http import HTTPStatus
from typing import Annotated

from fastapi import APIRouter, Query

from app.core.errors import problem_responses
from app.core.text import StorableText
from app.deps import Admin, SessionDep
from app.identity.audit import service as audit
from app.identity.audit.schemas import AuditEventPage, AuditEventView
from app.identity.audit.service import AuditAction, AuditFilters

router = APIRouter(prefix="/admin", tags=["admin"])

MAX_PAGE_SIZE = 100
_ACTIONS = ", ".join(f"`{action.value}`" for action in AuditAction)


@router.get(
    "/audit-events",
    summary="Security events, newest first",
    description=f"Actions: {_ACTIONS}. Page with `before` (the previous page's `nextBefore`).",
    responses=problem_responses(
        HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN, HTTPStatus.UNPROCESSABLE_ENTITY
    ),
)
async def list_audit_events(
    *,
    admin: Admin,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
    before: Annotated[
        int | None, Query(ge=1, le=2**63 - 1, description="Events older than this id.")
    ] = None,
    action: Annotated[
        str | None, Query(max_length=64, description="Only this action."), StorableText
    ] = None,
    user: Annotated[
        str | None,
        Query(max_length=255, description="Only events by or about this username."),
        StorableText,
    ] = None,
) -> AuditEventPage:
    filters = AuditFilters(before=before, action=action, username=user)
    entries = await audit.page(session, filters, limit)
    return AuditEventPage(
        events=[AuditEventView.model_validate(entry, from_attributes=True) for entry in entries],
        next_before=entries[-1].id if len(entries) == limit else None,
    )
