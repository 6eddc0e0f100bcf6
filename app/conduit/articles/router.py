"""Articles, the feed and favorites (`/articles`)."""

from http import HTTPStatus
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from app.conduit.articles import favorites
from app.conduit.articles import service as articles
from app.conduit.articles import views as article_views
from app.conduit.articles.dependencies import (
    ArticleSlug,
    ArticlesReader,
    ArticlesWriter,
    OptionalArticlesReader,
    OwnArticle,
    RemovableArticle,
)
from app.conduit.articles.schemas import (
    ArticleListResponse,
    ArticleResponse,
    CreateArticleRequest,
    UpdateArticleRequest,
)
from app.conduit.articles.views import ArticleFilters, ArticleView
from app.core.auth import ANONYMOUS_ALLOWED
from app.core.errors import problem_responses
from app.core.text import StorableText
from app.deps import WRITE_LIMITED, OriginDep, SessionDep

router = APIRouter(prefix="/articles", tags=["articles"])

MAX_PAGE_SIZE = 100
MAX_OFFSET = 1_000_000
Limit = Annotated[
    int,
    Query(ge=1, le=MAX_PAGE_SIZE, description="Page size, 1 to 100; a larger value is a 422."),
]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Articles to skip, 0 to 1,000,000.")]
NameFilter = Annotated[str | None, Query(max_length=255), StorableText]

_READ_ERRORS = problem_responses(HTTPStatus.UNAUTHORIZED, HTTPStatus.UNPROCESSABLE_ENTITY)
_ONE_ERRORS = problem_responses(
    HTTPStatus.UNAUTHORIZED, HTTPStatus.NOT_FOUND, HTTPStatus.UNPROCESSABLE_ENTITY
)
_OWNER_ERRORS = problem_responses(
    HTTPStatus.UNAUTHORIZED,
    HTTPStatus.FORBIDDEN,
    HTTPStatus.NOT_FOUND,
    HTTPStatus.UNPROCESSABLE_ENTITY,
)


def _summary(view: ArticleView) -> dict[str, Any]:
    return {
        "slug": view["slug"],
        "title": view["title"],
        "description": view["description"],
        "tag_list": view["tags"],
        "created_at": view["created_at"],
        "updated_at": view["updated_at"],
        "favorited": view["favorited"],
        "favorites_count": view["favorites_count"],
        "author": {
            "username": view["author_username"],
            "bio": view["author_bio"],
            "image": view["author_image"],
            "following": view["following"],
        },
    }


def _present(view: ArticleView) -> ArticleResponse:
    return ArticleResponse.model_validate({"article": {**_summary(view), "body": view["body"]}})


def _present_page(page: article_views.ArticlePage) -> ArticleListResponse:
    # One validation of the whole page: pydantic builds every nested model in one call.
    return ArticleListResponse.model_validate(
        {"articles": [_summary(view) for view in page.views], "articles_count": page.total}
    )


@router.get(
    "",
    summary="Articles, newest first, optionally filtered",
    description="Filters combine; an unknown tag or username matches nothing. "
    "`articlesCount` is the number of matching articles, ignoring paging.",
    responses=_READ_ERRORS,
    openapi_extra=ANONYMOUS_ALLOWED,
)
async def list_articles(
    *,
    viewer: OptionalArticlesReader,
    session: SessionDep,
    tag: NameFilter = None,
    author: NameFilter = None,
    favorited: NameFilter = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> ArticleListResponse:
    filters = ArticleFilters(tag=tag, author=author, favorited_by=favorited)
    page = await article_views.page(session, viewer, filters, limit=limit, offset=offset)
    return _present_page(page)


@router.get(
    "/feed",
    summary="Articles by the authors you follow, newest first",
    responses=_READ_ERRORS,
)
async def feed(
    user: ArticlesReader, session: SessionDep, limit: Limit = 20, offset: Offset = 0
) -> ArticleListResponse:
    filters = ArticleFilters(feed=True)
    return _present_page(
        await article_views.page(session, user, filters, limit=limit, offset=offset)
    )


@router.post(
    "",
    status_code=HTTPStatus.CREATED,
    summary="Write an article",
    dependencies=WRITE_LIMITED,
    description="Titles need not be unique: a taken slug gets a short random suffix (409 in "
    "the unlikely case that five in a row are taken). Tags are trimmed, deduplicated and "
    "listed alphabetically (at most 20, of 64 characters each).",
    responses=problem_responses(
        HTTPStatus.UNAUTHORIZED, HTTPStatus.CONFLICT, HTTPStatus.UNPROCESSABLE_ENTITY
    ),
)
async def create_article(
    user: ArticlesWriter, body: CreateArticleRequest, session: SessionDep
) -> ArticleResponse:
    article = await articles.create(session, user, body.article)
    return _present(await article_views.one(session, user, article.id))


@router.get(
    "/{slug}", summary="One article", responses=_ONE_ERRORS, openapi_extra=ANONYMOUS_ALLOWED
)
async def get_article(
    viewer: OptionalArticlesReader, slug: ArticleSlug, session: SessionDep
) -> ArticleResponse:
    # No ArticleBySlug: the view's own query finds the article (or 404s), one statement less.
    return _present(await article_views.by_slug(session, viewer, slug))


@router.put(
    "/{slug}",
    summary="Edit your article",
    dependencies=WRITE_LIMITED,
    description="Only the fields sent change; null is a 422. A new title gives a new slug "
    "unless it reads the same (case and punctuation changes keep it). `tagList: []` removes "
    "every tag and an absent `tagList` keeps them.",
    responses=_OWNER_ERRORS,
)
async def update_article(
    user: ArticlesWriter, article: OwnArticle, body: UpdateArticleRequest, session: SessionDep
) -> ArticleResponse:
    await articles.update(session, article, body.article)
    return _present(await article_views.one(session, user, article.id))


@router.delete(
    "/{slug}",
    status_code=HTTPStatus.NO_CONTENT,
    summary="Delete your article (and its comments and favorites)",
    dependencies=WRITE_LIMITED,
    description="Moderators and admins may delete anyone's.",
    responses=_OWNER_ERRORS,
)
async def delete_article(
    user: ArticlesWriter, article: RemovableArticle, session: SessionDep, origin: OriginDep
) -> Response:
    await articles.remove(session, article, user, origin)
    return Response(status_code=HTTPStatus.NO_CONTENT)


@router.post(
    "/{slug}/favorite",
    summary="Favorite an article",
    dependencies=WRITE_LIMITED,
    description="Idempotent: favoriting twice counts once.",
    responses=_ONE_ERRORS,
)
async def favorite(user: ArticlesWriter, slug: ArticleSlug, session: SessionDep) -> ArticleResponse:
    # The view first (the lookup, one statement), then the write, whose count it takes.
    view = await article_views.by_slug(session, user, slug)
    count = await favorites.favorite(session, user.id, view["id"])
    return _present(_favorited(view, favorited=True, count=count))


@router.delete(
    "/{slug}/favorite",
    summary="Remove an article from your favorites",
    dependencies=WRITE_LIMITED,
    description="Idempotent: removing a favorite you do not have is not an error.",
    responses=_ONE_ERRORS,
)
async def unfavorite(
    user: ArticlesWriter, slug: ArticleSlug, session: SessionDep
) -> ArticleResponse:
    view = await article_views.by_slug(session, user, slug)
    count = await favorites.unfavorite(session, user.id, view["id"])
    return _present(_favorited(view, favorited=False, count=count))


def _favorited(view: ArticleView, *, favorited: bool, count: int | None) -> ArticleView:
    """The view read before a (un)favorite, as it is after: the count the write returned,
    or, where it changed nothing, the one read."""
    return {
        **view,
        "favorited": favorited,
        "favorites_count": view["favorites_count"] if count is None else count,
    }
