"""Creating articles through the API, as a client would."""

from typing import Any

from httpx import AsyncClient

from tests.support.users import RegisteredUser


async def create_article(
    client: AsyncClient,
    author: RegisteredUser,
    title: str = "How to train your dragon",
    tags: list[str] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    article: dict[str, Any] = {
        "title": title,
        "description": "Ever wonder how?",
        "body": "Very carefully.",
    }
    article |= fields
    if tags is not None:
        article["tagList"] = tags
    response = await client.post("/api/articles", headers=author.headers, json={"article": article})
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()["article"]
    return created
