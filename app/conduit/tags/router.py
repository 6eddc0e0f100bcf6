"""Tags in use (`/tags`)."""

from fastapi import APIRouter

from app.deps import SessionDep
from app.schemas.article import TagsResponse
from app.services import articles

router = APIRouter(tags=["tags"])


@router.get("/tags", summary="Every tag used by at least one article, most used first")
async def list_tags(session: SessionDep) -> TagsResponse:
    return TagsResponse(tags=await articles.tags_in_use(session))
