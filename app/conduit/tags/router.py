"""Tags in use (`/tags`)."""

from fastapi import APIRouter

from app.conduit.articles import service as articles
from app.conduit.articles.schemas import TagsResponse
from app.deps import SessionDep

router = APIRouter(tags=["tags"])


@router.get(
    "/tags",
    summary="The tags in use, most used first",
    description=f"At most {articles.TAGS_LISTED}: the most used, the newest first among equals.",
)
async def list_tags(session: SessionDep) -> TagsResponse:
    return TagsResponse(tags=await articles.tags_in_use(session))
