"""The delivery job: one event to one endpoint, retried with backoff, logged for the owner.

The HTTP call happens outside any transaction (no database connection is held while a
peer answers slowly). A failed attempt is recorded, counts against the endpoint's
failure budget, and raises so that procrastinate retries the job; the last attempt marks
the delivery `failed` and raises too, so the job lands in the dead letter. An endpoint
that the budget disables, or that was disabled or deleted meanwhile, ends the job quietly
(its delivery `failed` or `skipped`).
"""

import logging
from datetime import timedelta

from procrastinate import JobContext
from sqlalchemy import func, select

from app.core.db import sweep_old_rows
from app.core.jobs.job_app import (
    EXPONENTIAL_BACKOFF,
    hourly_maintenance,
    job_app,
    job_resources,
)
from app.integrations.webhooks.delivery import attempt, body_of, count_outcome
from app.integrations.webhooks.events import DELIVERY_JOB
from app.integrations.webhooks.models import WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)


class DeliveryFailed(Exception):
    """This attempt failed; the job is retried (or dead-lettered after the last one)."""


@job_app.task(**DELIVERY_JOB.task_options(), retry=EXPONENTIAL_BACKOFF, pass_context=True)
async def deliver_webhook(context: JobContext, delivery_id: int) -> None:
    resources = job_resources()
    settings = resources.settings
    async with resources.sessions() as session:
        async with session.begin():
            row = (
                await session.execute(
                    select(WebhookDelivery, WebhookEndpoint)
                    .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
                    .where(WebhookDelivery.id == delivery_id)
                )
            ).one_or_none()
            if row is None:  # the endpoint was deleted, and its deliveries with it
                return
            delivery, endpoint = row
            if not endpoint.enabled:
                delivery.status, delivery.error = "skipped", "the endpoint is disabled"
                return
            body = body_of(delivery.id, delivery.event, delivery.payload)

        outcome = await attempt(resources.http, endpoint, body, settings)

        async with session.begin():
            endpoint = await session.get_one(WebhookEndpoint, endpoint.id, with_for_update=True)
            delivery.attempts += 1
            delivery.last_attempt_at = func.now()
            delivery.response_status, delivery.error = outcome.response_status, outcome.error
            count_outcome(endpoint, outcome, settings.webhook_failure_budget)
            session.add(delivery)
            assert context.job is not None  # noqa: S101 (a running job has one)
            last = context.job.attempts + 1 >= settings.job_max_attempts
            if outcome.succeeded:
                delivery.status = "succeeded"
            elif last or not endpoint.enabled:
                delivery.status = "failed"
    if not outcome.succeeded and (last or delivery.status == "pending"):
        raise DeliveryFailed(outcome.error)  # a retry, or the dead letter after the last


@hourly_maintenance("webhooks.delete_old_deliveries")
async def delete_old_deliveries(context: JobContext, timestamp: int) -> None:
    """The delivery log's retention: older than `WEBHOOK_DELIVERY_RETENTION_DAYS`, hourly."""
    resources = job_resources()
    age = timedelta(days=resources.settings.webhook_delivery_retention_days)
    deleted = await sweep_old_rows(
        resources.sessions, WebhookDelivery.id, WebhookDelivery.created_at, age
    )
    logger.info("webhook deliveries past their retention deleted", extra={"deleted": deleted})
