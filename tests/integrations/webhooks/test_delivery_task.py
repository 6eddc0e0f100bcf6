"""The worker's delivery task is the job the API enqueues: the API names it by a JobKind
(app/integrations/webhooks/events.py) so that it never imports procrastinate."""

from app.integrations.webhooks.events import DELIVERY_JOB
from app.integrations.webhooks.jobs import deliver_webhook


def test_the_delivery_task_is_declared_as_the_api_names_it() -> None:
    declared = (
        deliver_webhook.name,
        deliver_webhook.queue,
        deliver_webhook.priority,
        deliver_webhook.lock,
        deliver_webhook.queueing_lock,
    )
    named = (
        DELIVERY_JOB.name,
        DELIVERY_JOB.queue,
        DELIVERY_JOB.priority,
        DELIVERY_JOB.lock,
        DELIVERY_JOB.queueing_lock,
    )
    assert declared == named
