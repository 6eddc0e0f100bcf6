"""Moderators may remove others' articles and comments, never edit them, and the audit log
records it; a promotion to moderator applies to the very next request. (The role rules
themselves: tests/identity/.)"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest
from httpx import AsyncClient, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.conduit.articles.models import Article
from app.conduit.comments.models import Comment
from tests.support.articles import create_article
from tests.support.audit import audit_events, latest_audit_event
from tests.support.users import RegisteredUser, as_role, promote, register, role_matrix_cells


@dataclass(frozen=True)
class World:
    author: RegisteredUser
    slug: str
    comment_id: int


Action = Callable[[AsyncClient, dict[str, str], World], Awaitable[Response]]


async def _delete_article(client: AsyncClient, headers: dict[str, str], w: World) -> Response:
    return await client.delete(f"/api/articles/{w.slug}", headers=headers)


async def _delete_comment(client: AsyncClient, headers: dict[str, str], w: World) -> Response:
    return await client.delete(f"/api/articles/{w.slug}/comments/{w.comment_id}", headers=headers)


async def _edit_article(client: AsyncClient, headers: dict[str, str], w: World) -> Response:
    body = {"article": {"body": "edited by someone else"}}
    return await client.put(f"/api/articles/{w.slug}", headers=headers, json=body)


# action: (how, status for anonymous, user, moderator, admin)
MATRIX: dict[str, tuple[Action, tuple[int, int, int, int]]] = {
    "delete another's article": (_delete_article, (401, 403, 204, 204)),
    "delete another's comment": (_delete_comment, (401, 403, 204, 204)),
    "edit another's article": (_edit_article, (401, 403, 403, 403)),
}
CELLS = role_matrix_cells(MATRIX)


@pytest.fixture
async def world(client: AsyncClient) -> World:
    author = await register(client)
    slug = (await create_article(client, author))["slug"]
    comment = await client.post(
        f"/api/articles/{slug}/comments", headers=author.headers, json={"comment": {"body": "b"}}
    )
    return World(author, slug, comment.json()["comment"]["id"])


@pytest.mark.parametrize(("action", "role", "expected"), CELLS)
async def test_moderation_matrix(  # noqa: PLR0917 (fixtures and the cell)
    client: AsyncClient,
    session: AsyncSession,
    world: World,
    action: str,
    role: str,
    expected: int,
) -> None:
    headers = {} if role == "anonymous" else (await as_role(client, session, role)).headers
    how, _ = MATRIX[action]

    response = await how(client, headers, world)

    assert response.status_code == expected, response.text
    allowed = expected < 300
    article = await session.scalar(select(Article.id).where(Article.slug == world.slug))
    comment = await session.scalar(select(Comment.id).where(Comment.id == world.comment_id))
    edited = await session.scalar(select(Article.body).where(Article.slug == world.slug))
    if action == "delete another's article":
        assert (article is None) == allowed
    elif action == "delete another's comment":
        assert (comment is None) == allowed
    else:
        assert edited == "Very carefully."


async def test_a_promotion_to_moderator_applies_to_the_very_next_request(
    client: AsyncClient, session: AsyncSession, world: World
) -> None:
    admin = await as_role(client, session, "admin")
    helper = await register(client)
    assert (await _delete_comment(client, helper.headers, world)).status_code == 403

    await promote(client, admin, helper, "moderator")

    assert (await _delete_comment(client, helper.headers, world)).status_code == 204


async def test_moderation_deletes_are_recorded_and_own_deletes_are_not(
    client: AsyncClient, session: AsyncSession
) -> None:
    admin = await as_role(client, session, "admin")
    author = await register(client)
    mine = await create_article(client, author, title="Mine to delete")
    theirs = await create_article(client, author, title="Moderated")
    comment = await client.post(
        f"/api/articles/{theirs['slug']}/comments",
        headers=author.headers,
        json={"comment": {"body": "a rude remark"}},
    )
    comment_id = comment.json()["comment"]["id"]

    await client.delete(f"/api/articles/{mine['slug']}", headers=author.headers)
    await client.delete(
        f"/api/articles/{theirs['slug']}/comments/{comment_id}", headers=admin.headers
    )
    await client.delete(f"/api/articles/{theirs['slug']}", headers=admin.headers)

    article_event = await latest_audit_event(client, admin, "article.deleted_by_moderator")
    assert (article_event["actor"], article_event["subject"]) == (admin.username, author.username)
    assert article_event["details"] == {"slug": theirs["slug"], "title": "Moderated"}
    comment_event = await latest_audit_event(client, admin, "comment.deleted_by_moderator")
    assert comment_event["details"] == {
        "comment_id": comment_id,
        "article": theirs["slug"],
        "body": "a rude remark",
    }
    deleted = await audit_events(client, admin, action="article.deleted_by_moderator")
    assert len(deleted) == 1
