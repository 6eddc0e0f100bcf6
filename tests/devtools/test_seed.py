"""`make seed` fills a migrated database with consistent demo data, idempotently."""

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import create_async_engine

from app.conduit.articles.models import Article, ArticleTag, Favorite
from app.conduit.comments.models import Comment
from app.conduit.profiles.models import Follow
from app.core.config import Settings
from app.identity.users.models import User
from devtools.seed import seed
from tests.support.database import migrated_scratch_database


@pytest.fixture
async def seeded_url(settings: Settings) -> AsyncIterator[str]:
    async with migrated_scratch_database(settings.database_url, "seed") as url:
        yield url


async def _counts(url: str) -> dict[str, int]:
    engine = create_async_engine(url)
    async with engine.connect() as connection:
        counts = {
            name: await connection.scalar(select(func.count()).select_from(model)) or 0
            for name, model in [
                ("users", User), ("articles", Article), ("comments", Comment),
                ("favorites", Favorite), ("tagging", ArticleTag), ("follows", Follow),
            ]
        }  # fmt: skip
        counts["counter_mismatches"] = (
            await connection.scalar(
                text(
                    "SELECT count(*) FROM articles a WHERE a.favorites_count <>"
                    " (SELECT count(*) FROM favorites f WHERE f.article_id = a.id)"
                )
            )
            or 0
        )
    await engine.dispose()
    return counts


async def test_seed_creates_the_requested_sizes_and_is_idempotent(seeded_url: str) -> None:
    await seed(seeded_url, users=12, articles_per_user=3, comments_per_article=2, seed=7)
    first = await _counts(seeded_url)

    await seed(seeded_url, users=12, articles_per_user=3, comments_per_article=2, seed=7)

    assert first["users"] == 12
    assert first["articles"] == 36
    assert first["comments"] == 72
    assert first["favorites"] == 12 * 10
    assert first["counter_mismatches"] == 0
    assert await _counts(seeded_url) == first


async def test_seed_adds_nothing_once_the_rows_have_moved(seeded_url: str) -> None:
    await seed(seeded_url, users=12, articles_per_user=3, comments_per_article=2, seed=7)
    first = await _counts(seeded_url)
    # Updates (a benchmark's writes) move rows: the database lists them in another order.
    engine = create_async_engine(seeded_url)
    async with engine.begin() as connection:
        await connection.execute(text("UPDATE articles SET body = body || '' WHERE id % 2 = 0"))
        await connection.execute(text("UPDATE users SET bio = bio WHERE id % 2 = 1"))
    await engine.dispose()

    again = await seed(seeded_url, users=12, articles_per_user=3, comments_per_article=2, seed=7)

    assert again == dict.fromkeys(again, 0)
    assert await _counts(seeded_url) == first


async def test_seed_reports_the_rows_it_really_inserted(
    seeded_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    first = await seed(seeded_url, users=5, articles_per_user=2, comments_per_article=1, seed=7)
    assert (first["users"], first["articles"], first["comments"]) == (5, 10, 10)
    assert capsys.readouterr().out.splitlines()[0].split() == [
        "users", "5", "inserted,", "0", "already", "there",
    ]  # fmt: skip

    again = await seed(seeded_url, users=6, articles_per_user=2, comments_per_article=1, seed=7)

    assert again["users"] == 1  # only demo00006 is new
    assert again["articles"] == 2
    assert again["tags"] == 0
    assert capsys.readouterr().out.splitlines()[0].split() == [
        "users", "1", "inserted,", "5", "already", "there",
    ]  # fmt: skip
