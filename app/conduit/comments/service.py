"""Comments on articles: listed oldest first, deletable by their author or a moderator."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, insert, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from app.conduit.articles.models import Article
from app.conduit.comments import events as comment_events
from app.conduit.comments.models import Comment
from app.conduit.profiles.service import is_followed_by
from app.core.auth import Role, has_role
from app.core.db import detached, table_of
from app.core.edge import RequestOrigin
from app.core.errors import Forbidden, NotFound
from app.identity.audit import service as audit
from app.identity.audit.service import AuditAction
from app.identity.users.models import User
from app.integrations.webhooks import events as webhook_events
from app.integrations.webhooks.schemas import WebhookEvent


@dataclass(frozen=True)
class CommentView:
    comment: Comment
    author: User
    following: bool


async def for_article(
    session: AsyncSession,
    viewer: User | None,
    article: Article,
    *,
    limit: int,
    after: tuple[datetime, int] | None = None,
) -> list[CommentView]:
    """Up to `limit` comments, oldest first, after the (created_at, id) `after`; one
    statement, with authors and `following` joined in (app/conduit/comments/cursor.py)."""
    page = (
        select(Comment, User, is_followed_by(viewer, Comment.author_id))
        .join(User, Comment.author_id == User.id)
        .where(Comment.article_id == article.id)
        .order_by(Comment.created_at, Comment.id)
        .limit(limit)
    )
    if after is not None:
        page = page.where(tuple_(Comment.created_at, Comment.id) > tuple_(*after))
    rows = await session.execute(page)
    return [CommentView(comment, author, following) for comment, author, following in rows]


_COMMENTS = table_of(Comment)
_INSERT = (
    insert(_COMMENTS)
    .values(
        body=bindparam("body"), article_id=bindparam("article_id"), author_id=bindparam("author_id")
    )
    .returning(*_COMMENTS.columns)
)
# An author's own comment: deleted in one statement, no load first.
_DELETE_OWN = (
    delete(_COMMENTS)
    .where(
        _COMMENTS.c.id == bindparam("comment_id"),
        _COMMENTS.c.article_id == bindparam("article_id"),
        _COMMENTS.c.author_id == bindparam("author_id"),
    )
    .returning(*_COMMENTS.columns)
)


async def add(session: AsyncSession, author: User, article: Article, body: str) -> CommentView:
    parameters = {"body": body, "article_id": article.id, "author_id": author.id}
    comment = detached(Comment, dict((await session.execute(_INSERT, parameters)).mappings().one()))
    await comment_events.announce_created(session, comment)
    if article.author_id != author.id:
        data = {
            "article": {"slug": article.slug, "title": article.title},
            "comment": {"id": comment.id, "body": comment.body},
            "author": author.username,
        }
        await webhook_events.emit(session, article.author_id, WebhookEvent.COMMENT_CREATED, data)
    return CommentView(comment, author, following=False)  # nobody follows themselves


async def remove(
    session: AsyncSession, user: User, article: Article, comment_id: int, origin: RequestOrigin
) -> None:
    """Delete the comment; by someone else than its author (a moderator), it is audited."""
    parameters = {"comment_id": comment_id, "article_id": article.id, "author_id": user.id}
    own = (await session.execute(_DELETE_OWN, parameters)).mappings().one_or_none()
    if own is not None:
        await comment_events.announce_deleted(session, detached(Comment, dict(own)))
        return
    comment = await session.scalar(
        select(Comment).where(Comment.id == comment_id, Comment.article_id == article.id)
    )
    if comment is None:
        raise NotFound("comment")
    if comment.author_id != user.id and not has_role(user.role, Role.MODERATOR):
        raise Forbidden(
            "Only its author or a moderator may delete this comment.", {"comment": ["forbidden"]}
        )
    if comment.author_id != user.id:
        await audit.record(
            session,
            AuditAction.COMMENT_DELETED_BY_MODERATOR,
            origin,
            actor=user,
            subject=comment.author_id,
            comment_id=comment.id,
            article=article.slug,
            body=comment.body[:200],
        )
    await session.delete(comment)
    await session.flush()
    await comment_events.announce_deleted(session, comment)
