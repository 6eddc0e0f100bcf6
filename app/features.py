"""The Conduit API: every domain router, mounted by `create_app` under `/api`."""

from fastapi import APIRouter

from app.routers import (
    admin,
    articles,
    audit_log,
    comment_stream,
    comments,
    mail_links,
    profiles,
    sessions,
    tags,
    users,
    webhooks,
)
from app.services import comment_events

# Mounted one by one rather than through one parent router: each level of nesting is
# another round of route matching on every request.
API_ROUTERS: tuple[APIRouter, ...] = tuple(
    module.router
    # The Conduit routes first (the hottest paths are matched soonest), identity after.
    for module in (
        users,
        profiles,
        articles,
        comments,
        comment_stream,
        tags,
        sessions,
        mail_links,
        admin,
        audit_log,
        webhooks,
    )
)
# The live-event channels the worker's fan-out listens on (app/core/streams).
STREAM_CHANNELS: tuple[str, ...] = (comment_events.CHANNEL,)
