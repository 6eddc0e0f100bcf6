"""The audit log's retention: events older than `AUDIT_RETENTION_DAYS` deleted, hourly."""

import logging
from datetime import timedelta

from app.core.db import sweep_old_rows
from app.core.jobs.job_app import JobContext, hourly_maintenance, job_resources
from app.identity.audit.models import AuditEvent

logger = logging.getLogger(__name__)


@hourly_maintenance("identity.delete_old_audit_events")
async def delete_old_audit_events(context: JobContext, timestamp: int) -> None:
    resources = job_resources()
    age = timedelta(days=resources.settings.audit_retention_days)
    deleted = await sweep_old_rows(resources.sessions, AuditEvent.id, AuditEvent.occurred_at, age)
    logger.info("audit events past their retention deleted", extra={"deleted": deleted})
