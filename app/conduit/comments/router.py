"""Comments on an article (`/articles/{slug}/comments`)."""

from http import HTTPStatus
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from app.conduit.articles.dependencies import (
    ArticleBySlug,
    ArticlesWriter,
    OptionalArticlesReader,
)
from app.conduit.comments import cursor as comment_cursor
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
from app.core.errors import InvalidInput, problem_responses
from app.core.text import StorableText
from app.deps import WRITE_LIMITED, OriginDep, SessionDep

router = APIRouter(prefix="/articles/{slug}/comments", tags=["comments"])

# Ids are bigints: anything larger cannot exist and must not reach the database.
CommentId = Annotated[int, Path(ge=1, le=2**63 - 1)]
# A page holds at most this many: a thread of any length is read in bounded pieces.
MAX_COMMENTS_PER_PAGE = 100
CommentsPerPage = Annotated[
    int,
    Query(
        ge=1,
        le=MAX_COMMENTS_PER_PAGE,
        description="Comments per page, 1 to 100 (the default); a larger value is a 422.",
    ),
]
After = Annotated[
    str | None,
    Query(
        max_length=comment_cursor.MAX_CURSOR_LENGTH,
        description="Where the previous page ended: the `after` of its `Link: rel=next`.",
    ),
    StorableText,
]
_NEXT_PAGE = {
    "Link": {
        "description": 'The next page, `<…?after=…&limit=…>; rel="next"`, when there may be one.',
        "schema": {"type": "string"},
    }
}
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
    summary="An article's comments, oldest first, a page at a time",
    description="The first page is what RealWorld clients read; a thread longer than `limit` "
    "goes on in the page named by the `Link` header (stable while comments are added).",
    responses={
        HTTPStatus.OK.value: {"description": "A page of comments.", "headers": _NEXT_PAGE},
        **_ERRORS,
    },
    openapi_extra=ANONYMOUS_ALLOWED,
)
async def list_comments(
    *,
    request: Request,
    response: Response,
    viewer: OptionalArticlesReader,
    article: ArticleBySlug,
    session: SessionDep,
    limit: CommentsPerPage = MAX_COMMENTS_PER_PAGE,
    after: After = None,
) -> CommentListResponse:
    try:
        start = comment_cursor.decode(after) if after is not None else None
    except comment_cursor.InvalidCursor:
        raise InvalidInput(
            "`after` is not a cursor of this list.", {"after": ["is not a cursor"]}
        ) from None
    # One more than asked: whether a next page exists, without a count.
    views = await comments.for_article(session, viewer, article, limit=limit + 1, after=start)
    if len(views) > limit:
        views = views[:limit]
        last = views[-1].comment
        cursor = comment_cursor.encode(last.created_at, last.id)
        response.headers["Link"] = f'<{request.url.path}?after={cursor}&limit={limit}>; rel="next"'
    return CommentListResponse(comments=[present_comment(view) for view in views])


@router.post(
    "",
    status_code=HTTPStatus.CREATED,
    summary="Comment on an article",
    dependencies=WRITE_LIMITED,
    responses=_ERRORS,
)
async def add_comment(
    user: ArticlesWriter, article: ArticleBySlug, body: CreateCommentRequest, session: SessionDep
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
    user: ArticlesWriter,
    article: ArticleBySlug,
    comment_id: CommentId,
    session: SessionDep,
    origin: OriginDep,
) -> Response:
    await comments.remove(session, user, article, comment_id, origin)
    return Response(status_code=HTTPStatus.NO_CONTENT)
