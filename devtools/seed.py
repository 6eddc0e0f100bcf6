"""Fill the configured database with realistic demo data: `make seed` (sizes as options).

Idempotent: users, articles and tags have deterministic names and are inserted with
ON CONFLICT DO NOTHING, so running it twice leaves the same data; each table's line says
how many rows were really inserted (0 on a re-run) and how many were already there.
Every demo user's password is `password123` (one hash computed once: 10k users stay fast).
"""

import argparse
import asyncio
import random
import sys
import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from app.conduit.articles.models import Article, ArticleTag, Favorite, Tag
from app.conduit.comments.models import Comment
from app.conduit.profiles.models import Follow
from app.core.auth import hash_password
from app.core.config import get_settings
from app.identity.users.models import User

DEMO_PASSWORD = "password123"  # noqa: S105 (documented demo credential)
TAG_NAMES = [
    "python", "fastapi", "postgresql", "asyncio", "testing", "devops", "security",
    "performance", "design", "career", "databases", "observability", "docker", "api",
]  # fmt: skip
WORDS = [
    "service", "request", "latency", "schema", "migration", "pool", "worker", "token",
    "cache", "index", "query", "transaction", "deploy", "metric", "trace", "release",
]  # fmt: skip
BATCH = 1_000


def _progress(label: str, done: int, total: int, inserted: int) -> None:
    # Redraw one line per table on a terminal; print only the final count in logs.
    summary = f"  {label:<10} {inserted:>7} inserted, {done - inserted} already there"
    if not total:  # e.g. comments, which are added only to articles that have none
        summary = f"  {label:<10} {0:>7} inserted, nothing to add"
    if sys.stdout.isatty():
        print(f"\r{summary} ({done}/{total})", end="" if done < total else "\n", flush=True)
    elif done == total:
        print(summary, flush=True)


async def _insert(
    connection: AsyncConnection, table: Any, rows: Sequence[dict[str, Any]], label: str
) -> int:
    """Insert the rows that are not there yet; returns how many really were inserted."""
    # RETURNING lists only the rows ON CONFLICT DO NOTHING let through.
    statement = insert(table).on_conflict_do_nothing().returning(*table.primary_key.columns)
    inserted = 0
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        inserted += len((await connection.execute(statement, chunk)).all())
        _progress(label, start + len(chunk), len(rows), inserted)
    if not rows:
        _progress(label, 0, 0, 0)
    return inserted


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize()


async def _ids_by_name(
    connection: AsyncConnection, column: Any, key: Any, names: list[str]
) -> dict[str, int]:
    """The ids of `names`, in the order of `names`: not the database's, which changes as rows
    are updated, so that every run gives the same ids the same tags, follows and favorites
    (a second run adds nothing)."""
    found = await connection.execute(select(column, key).where(column.in_(names)))
    rows: dict[str, int] = dict(found.all())
    return {name: rows[name] for name in names}


def _user_rows(names: list[str], password_hash: str, rng: random.Random) -> list[dict[str, Any]]:
    return [
        {
            "username": name,
            "email": f"{name}@demo.conduit.test",
            "password_hash": password_hash,
            "bio": f"I write about {rng.choice(TAG_NAMES)}.",
        }
        for name in names
    ]


def _article_rows(
    user_ids: dict[str, int], per_user: int, rng: random.Random
) -> list[dict[str, Any]]:
    return [
        {
            "slug": f"{name}-article-{n}",
            "title": f"{_sentence(rng, 4)} ({name} #{n})",
            "description": _sentence(rng, 8),
            "body": "\n\n".join(_sentence(rng, 40) for _ in range(3)),
            "author_id": user_id,
        }
        for name, user_id in user_ids.items()
        for n in range(1, per_user + 1)
    ]


async def seed(
    database_url: str, users: int, articles_per_user: int, comments_per_article: int, seed: int
) -> dict[str, int]:
    """Insert what is missing of the demo data; returns the rows really inserted, by table."""
    rng = random.Random(seed)  # noqa: S311 (demo data, not security)
    engine = create_async_engine(database_url)
    names = [f"demo{n:05d}" for n in range(1, users + 1)]
    inserted: dict[str, int] = {}
    async with engine.begin() as db:
        user_rows = _user_rows(names, hash_password(DEMO_PASSWORD), rng)
        inserted["users"] = await _insert(db, User.__table__, user_rows, "users")
        user_ids = await _ids_by_name(db, User.username, User.id, names)
        tag_rows = [{"name": name} for name in TAG_NAMES]
        inserted["tags"] = await _insert(db, Tag.__table__, tag_rows, "tags")
        tag_ids = await _ids_by_name(db, Tag.name, Tag.id, TAG_NAMES)

        articles = _article_rows(user_ids, articles_per_user, rng)
        inserted["articles"] = await _insert(db, Article.__table__, articles, "articles")
        slugs = [row["slug"] for row in articles]
        article_ids = list((await _ids_by_name(db, Article.slug, Article.id, slugs)).values())
        ids = list(user_ids.values())

        article_tags = [
            {"article_id": article_id, "tag_id": tag_ids[tag]}
            for article_id in article_ids
            for tag in rng.sample(TAG_NAMES, 3)
        ]
        inserted["tagging"] = await _insert(db, ArticleTag.__table__, article_tags, "tagging")
        follows = [
            {"follower_id": follower, "followee_id": followee}
            for follower in ids
            for followee in rng.sample(ids, min(len(ids), 10))
            if followee != follower
        ]
        inserted["follows"] = await _insert(db, Follow.__table__, follows, "follows")
        favorites = [
            {"user_id": user_id, "article_id": article_id}
            for user_id in ids
            for article_id in rng.sample(article_ids, min(len(article_ids), 10))
        ]
        inserted["favorites"] = await _insert(db, Favorite.__table__, favorites, "favorites")

        # Comments have no natural key: add them only to a database that has none yet.
        has_comments = await db.scalar(
            select(func.count()).select_from(Comment).where(Comment.article_id.in_(article_ids))
        )
        comments = [
            {"article_id": article_id, "author_id": rng.choice(ids), "body": _sentence(rng, 20)}
            for article_id in article_ids
            for _ in range(0 if has_comments else comments_per_article)
        ]
        inserted["comments"] = await _insert(db, Comment.__table__, comments, "comments")

        # The API reads the counter column: make it exact for the demo articles.
        favorite_count = (
            select(func.count()).where(Favorite.article_id == Article.id).scalar_subquery()
        )
        await db.execute(
            update(Article)
            .where(Article.id.in_(article_ids))
            .values(favorites_count=favorite_count)
        )
    await engine.dispose()
    return inserted


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m devtools.seed", description=__doc__)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--articles-per-user", type=int, default=5)
    parser.add_argument("--comments-per-article", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026, help="random seed (same data each run)")
    args = parser.parse_args(argv)
    if min(args.users, args.articles_per_user, args.comments_per_article) < 0:
        parser.error("sizes must not be negative")
    started = time.perf_counter()
    url = get_settings().database_url
    print(f"seeding {url.rpartition('@')[2]}", file=sys.stderr)
    asyncio.run(seed(url, args.users, args.articles_per_user, args.comments_per_article, args.seed))
    elapsed = time.perf_counter() - started
    print(f"done in {elapsed:.1f}s; log in as demo00001@demo.conduit.test / {DEMO_PASSWORD}")


if __name__ == "__main__":
    main()
