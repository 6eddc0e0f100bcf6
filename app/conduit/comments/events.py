"""Comment events for live streams: published with the change, rendered per viewer.

`comment.created` and `comment.deleted` are published on the `comments` channel with the
article's id as topic, in the transaction that adds or deletes the comment (one statement:
app/core/streams/_event_log.py). Events carry the comment's id only; a stream renders a
created comment for its own viewer (`following` is relative to the viewer) when sending it.
"""

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.conduit.comments.models import Comment
from app.conduit.profiles.service import is_followed_by
from app.core.streams import Event, publish
from app.identity.users.models import User

CHANNEL = "comments"
CREATED = "comment.created"
DELETED = "comment.deleted"


def topic(article_id: int) -> str:
    return str(article_id)


async def announce_created(session: AsyncSession, comment: Comment) -> None:
    await publish(session, CHANNEL, topic(comment.article_id), CREATED, {"id": comment.id})


async def announce_deleted(session: AsyncSession, comment: Comment) -> None:
    await publish(session, CHANNEL, topic(comment.article_id), DELETED, {"id": comment.id})


async def created_comment(
    session: AsyncSession, viewer_id: int | None, comment_id: int
) -> tuple[Comment, User, bool] | None:
    """The comment with its author and whether the viewer follows them; None if deleted since."""
    viewer = User(id=viewer_id) if viewer_id is not None else None
    row = (
        await session.execute(
            select(Comment, User, is_followed_by(viewer, Comment.author_id))
            .join(User, Comment.author_id == User.id)
            .where(Comment.id == comment_id)
        )
    ).one_or_none()
    return None if row is None else (row[0], row[1], bool(row[2]))


def deleted_comment(event: Event) -> dict[str, Any]:
    return {"id": event.data["id"]}
