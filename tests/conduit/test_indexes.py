"""Every filter, join and ordering the endpoints use has an index (made by migrations)."""

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


async def _index_definitions(session: AsyncSession) -> list[str]:
    rows = await session.execute(
        text("SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'")
    )
    return [row[0] for row in rows]


@pytest.mark.parametrize(
    ("name", "table", "columns"),
    [
        ("uq_users_username_lower", "users", "lower((username)::text)"),
        ("uq_users_email_lower", "users", "lower((email)::text)"),
        ("uq_articles_slug", "articles", "slug"),
        ("ix_articles_author_id", "articles", "author_id"),
        ("ix_articles_created_at_id", "articles", "created_at, id"),
        ("uq_tags_name", "tags", "name"),
        ("pk_article_tags", "article_tags", "article_id, tag_id"),
        ("ix_article_tags_tag_id", "article_tags", "tag_id"),
        ("pk_favorites", "favorites", "user_id, article_id"),
        ("ix_favorites_article_id", "favorites", "article_id"),
        ("pk_follows", "follows", "follower_id, followee_id"),
        ("ix_follows_followee_id", "follows", "followee_id"),
        ("ix_comments_article_id_created_at", "comments", "article_id, created_at"),
        ("ix_comments_author_id", "comments", "author_id"),
    ],
)
async def test_index_exists(session: AsyncSession, name: str, table: str, columns: str) -> None:
    expected = f"INDEX {name} ON public.{table} USING btree ({columns})"

    assert any(d.endswith(expected) for d in await _index_definitions(session)), expected


async def test_username_lookups_use_the_index(session: AsyncSession) -> None:
    from sqlalchemy import select  # noqa: PLC0415

    from app.identity.users.models import User, has_username  # noqa: PLC0415

    await session.execute(text("SET LOCAL enable_seqscan = off"))
    compiled = (
        select(User.id).where(has_username("alice")).compile(compile_kwargs={"literal_binds": True})
    )
    plan = "\n".join(row[0] for row in await session.execute(text(f"EXPLAIN {compiled}")))

    assert "uq_users_username_lower" in plan
