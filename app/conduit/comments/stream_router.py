"""Live comments of an article (`/articles/{slug}/comments/stream`), as Server-Sent Events."""

from contextlib import ExitStack
from http import HTTPStatus
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from sqlalchemy.ext.asyncio import AsyncSession

from app.conduit.articles.dependencies import ArticleBySlug, OptionalArticlesReader
from app.conduit.comments import events as comment_events
from app.conduit.comments.router import present_comment
from app.conduit.comments.service import CommentView
from app.core.auth import ANONYMOUS_ALLOWED
from app.core.errors import problem_responses
from app.core.streams import (
    MEDIA_TYPE,
    Event,
    EventFanout,
    EventStreamResponse,
    StreamsAtCapacity,
    StreamsPerClientExceeded,
    TooManyStreams,
    TooManyStreamsForClient,
    event_stream,
    latest_id,
)
from app.deps import SessionDep

router = APIRouter(tags=["comments"])

# Retry-After of the 503 when this worker holds its cap of streams.
CAPACITY_RETRY_SECONDS = 5
LastEventId = Annotated[
    int | None,
    Header(
        alias="Last-Event-ID",
        ge=0,
        le=2**63 - 1,
        description="Resume after this event (sent by EventSource when it reconnects).",
    ),
]
_STREAM_DESCRIPTION = """\
Server-Sent Events, one per change, while the connection stays open:

- `comment.created`: `data` is `{"comment": {...}}` as `POST .../comments` returns it;
- `comment.deleted`: `data` is `{"id": <comment id>}`.

Each event's `id` can be sent back as `Last-Event-ID` to be replayed what was missed
(kept `STREAM_EVENT_RETENTION_SECONDS`). A comment line (`: heartbeat`) comes every
`STREAM_HEARTBEAT_SECONDS`. The server ends streams when it shuts down; reconnect.
"""
_EXAMPLE = 'id: 42\nevent: comment.created\ndata: {"comment":{"id":7,"body":"…"}}\n\n'


@router.get(
    "/articles/{slug}/comments/stream",
    summary="New and deleted comments on an article, live (Server-Sent Events)",
    description=_STREAM_DESCRIPTION,
    response_class=EventStreamResponse,
    status_code=HTTPStatus.OK,
    responses={
        HTTPStatus.OK.value: {
            "description": "An event stream that stays open.",
            "content": {MEDIA_TYPE: {"schema": {"type": "string"}, "example": _EXAMPLE}},
        },
        **problem_responses(
            HTTPStatus.UNAUTHORIZED,
            HTTPStatus.NOT_FOUND,
            HTTPStatus.UNPROCESSABLE_ENTITY,
            HTTPStatus.TOO_MANY_REQUESTS,
            HTTPStatus.SERVICE_UNAVAILABLE,
        ),
    },
    openapi_extra=ANONYMOUS_ALLOWED,
)
async def stream_comments(
    request: Request,
    viewer: OptionalArticlesReader,
    article: ArticleBySlug,
    session: SessionDep,
    last_event_id: LastEventId = None,
) -> EventStreamResponse:
    fanout: EventFanout = request.app.state.event_fanout
    settings = request.app.state.settings
    start_after = last_event_id if last_event_id is not None else await latest_id(session)
    viewer_id = viewer.id if viewer is not None else None
    # The peer address, or the forwarded one when the proxy is trusted (FORWARDED_ALLOW_IPS).
    clients: tuple[str, ...] = (f"address:{request.client.host if request.client else ''}",)
    if viewer_id is not None:
        clients += (f"account:{viewer_id}",)
    subscription = ExitStack()
    try:
        live = subscription.enter_context(
            fanout.subscribe(comment_events.CHANNEL, comment_events.topic(article.id), clients)
        )
    except TooManyStreams:
        raise StreamsAtCapacity(CAPACITY_RETRY_SECONDS) from None
    except TooManyStreamsForClient:
        raise StreamsPerClientExceeded(CAPACITY_RETRY_SECONDS) from None

    async def render(session: AsyncSession, event: Event) -> dict[str, Any] | None:
        if event.kind == comment_events.DELETED:
            return comment_events.deleted_comment(event)
        found = await comment_events.created_comment(session, viewer_id, event.data["id"])
        if found is None:
            return None  # deleted since: its deletion follows
        comment = present_comment(CommentView(*found))
        return {"comment": comment.model_dump(mode="json", by_alias=True)}

    body = event_stream(
        live,
        request.app.state.sessions.autocommit,
        start_after,
        render,
        settings.stream_heartbeat_seconds,
    )
    return EventStreamResponse(body, subscription)
