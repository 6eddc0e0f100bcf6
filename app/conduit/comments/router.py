"""Comments on an article (`/articles/{slug}/comments`)."""

from http import HTTPStatus
from typing import Annotated

from fastapi import APIRouter, Path, Response

from app.conduit.articles.dependencies import ArticleBySlug
from app.conduit.comments import service as comments
from app.conduit.comments.schemas import (
    Comment,
    CommentListResponse,
    CommentResponse,
    CreateCommentRequest,
)
from app.conduit.comments.service import CommentView
from app.conduit.profiles.service import profile_of
from app.core.auth import ANONYMOUS_ALLOWED
from app.core.errors import problem_responses
from app.deps import WRITE_LIMITED, CurrentUser, OptionalUser, OriginDep, SessionDep

router = APIRouter(prefix="/articles/{slug}/comments", tags=["comments"])

# Ids are bigints: anything larger cannot exist and must not reach the database.
CommentId = Annotated[int, Path(ge=1, le=2**63 - 1)]
_ERRORS = problem_responses(
    HTTPStatus.UNAUTHORIZED, HTTPStatus.NOT_FOUND, HTTPStatus.UNPROCESSABLE_ENTITY
)


def present_comment(view: CommentView) -> Comment:
    return Comment(
        id=view.comment.id,
        created_at=view.comment.created_at,
        updated_at=view.comment.updated_at,
        body=view.comment.body,
        author=profile_of(view.author, following=view.following),
    )


@router.get(
    "",
    summary="An article's comments, oldest first",
    responses=_ERRORS,
    openapi_extra=ANONYMOUS_ALLOWED,
)
async def list_comments(
    viewer: OptionalUser, article: ArticleBySlug, session: SessionDep
) -> CommentListResponse:
    views = await comments.for_article(session, viewer, article)
    return CommentListResponse(comments=[present_comment(view) for view in views])


@router.post(
    "",
    status_code=HTTPStatus.CREATED,
    summary="Comment on an article",
    dependencies=WRITE_LIMITED,
    responses=_ERRORS,
)
async def add_comment(
    user: CurrentUser, article: ArticleBySlug, body: CreateCommentRequest, session: SessionDep
) -> CommentResponse:
    view = await comments.add(session, user, article, body.comment.body)
    return CommentResponse(comment=present_comment(view))


@router.delete(
    "/{comment_id}",
    status_code=HTTPStatus.NO_CONTENT,
    summary="Delete your comment",
    dependencies=WRITE_LIMITED,
    description="Moderators and admins may delete anyone's.",
    responses=problem_responses(
        HTTPStatus.UNAUTHORIZED,
        HTTPStatus.FORBIDDEN,
        HTTPStatus.NOT_FOUND,
        HTTPStatus.UNPROCESSABLE_ENTITY,
    ),
)
async def delete_comment(
    user: CurrentUser,
    article: ArticleBySlug,
    comment_id: CommentId,
    session: SessionDep,
    origin: OriginDep,
) -> Response:
    await comments.remove(session, user, article, comment_id, origin)
    return Response(status_code=HTTPStatus.NO_CONTENT)
