"""Bodies of the audit log endpoint."""

from typing import Any

from pydantic import Field

from app.core.schemas import CamelModel, Timestamp


class AuditEventView(CamelModel):
    id: int
    action: str = Field(examples=["login.failed"])
    occurred_at: Timestamp
    actor: str | None = Field(
        description="Username of who did it; null for the command line or someone not "
        "signed in (a failed login)."
    )
    subject: str | None = Field(description="Username of the account concerned.")
    client_address: str | None
    request_id: str | None = Field(description="The request's X-Request-ID, as in the logs.")
    details: dict[str, Any]


class AuditEventPage(CamelModel):
    events: list[AuditEventView]
    next_before: int | None = Field(
        description="Pass as `before` for the next (older) page; null on the last page."
    )
