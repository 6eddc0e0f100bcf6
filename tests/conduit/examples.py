"""Valid requests of the Conduit operations (tests/support/examples.py says how they are used)."""

from typing import Any

from httpx import AsyncClient

from tests.support.articles import create_article
from tests.support.users import RegisteredUser

_ARTICLE = {"article": {"title": "t", "description": "d", "body": "b", "tagList": ["x"]}}
VALID_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/api/articles"): _ARTICLE,
    ("PUT", "/api/articles/{slug}"): _ARTICLE,
    ("POST", "/api/articles/{slug}/comments"): {"comment": {"body": "b"}},
}


async def path_values(client: AsyncClient, user: RegisteredUser) -> dict[str, str]:
    """An article of `user`'s, and a comment id."""
    return {"slug": (await create_article(client, user))["slug"], "comment_id": "1"}
