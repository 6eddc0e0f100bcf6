"""The features this service is made of: their routers, live-event channels and jobs.

`create_app` mounts `ROUTERS` under `/api` and `V2_ROUTERS` under `/api/v2`; the worker
imports `JOB_MODULES`. Adding a feature is a line here; removing one is deleting its
package and its line (docs/adding-a-feature.md).
"""

from fastapi import APIRouter

from app.conduit.articles import router as articles
from app.conduit.comments import events as comment_events
from app.conduit.comments import router as comments
from app.conduit.comments import stream_router as comment_stream
from app.conduit.profiles import router as profiles
from app.conduit.profiles import router_v2 as profiles_v2
from app.conduit.tags import router as tags
from app.identity.accounts import router as accounts
from app.identity.audit import router as audit
from app.identity.mail_links import router as mail_links
from app.identity.oidc import router as oidc
from app.identity.passkeys import router as passkeys
from app.identity.personal_tokens import router as personal_tokens
from app.identity.sessions import router as sessions
from app.identity.two_factor import router as two_factor
from app.identity.users import router as users
from app.integrations.webhooks import router as webhooks

# Mounted one by one rather than through one parent router: each level of nesting is
# another round of route matching on every request.
ROUTERS: tuple[APIRouter, ...] = tuple(
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
        two_factor,
        passkeys,
        oidc,
        personal_tokens,
        mail_links,
        accounts,
        audit,
        webhooks,
    )
)
# Version 2 (`/api/v2`): only the resources whose shape changed. Everything else stays at
# `/api` (version 1, the RealWorld contract); a v1 operation with a v2 successor announces
# its retirement (docs/versioning.md).
V2_ROUTERS: tuple[APIRouter, ...] = (profiles_v2.router,)
# The live-event channels the worker's fan-out listens on (app/core/streams).
STREAM_CHANNELS: tuple[str, ...] = (comment_events.CHANNEL,)
# Every job the worker runs: importing these modules declares their tasks on `job_app`.
# Named as strings: the API never imports the worker's side (procrastinate).
JOB_MODULES: tuple[str, ...] = ("app.identity.audit.jobs", "app.integrations.webhooks.jobs")
