"""Reads on the driver answer exactly what the ordinary SQLAlchemy path answers.

The shared test transaction sends every read the ordinary way (see app/core/db/_driver_reads.py),
so these requests run against committed data, where read-only requests take the driver.
"""

from typing import Any

import pytest
from httpx import AsyncClient

from app.core.db import DriverRead
from tests.support.articles import create_article
from tests.support.users import RegisteredUser, register


async def _world(client: AsyncClient, prefix: str) -> tuple[RegisteredUser, list[tuple[str, Any]]]:
    reader = await register(client, f"{prefix}reader")
    author = await register(client, f"{prefix}author")
    await client.post(f"/api/profiles/{author.username}/follow", headers=reader.headers)
    slugs = []
    for n, tags in enumerate([["zeta", "Alpha", "ünïcode"], [], [f"{prefix}only"]]):
        article = await create_article(client, author, title=f"{prefix} post {n}", tags=tags)
        slugs.append(article["slug"])
    await client.post(f"/api/articles/{slugs[0]}/favorite", headers=reader.headers)
    mine = f"author={author.username}"
    reads = [
        ("/api/user", reader),
        (f"/api/articles?{mine}", None),
        (f"/api/articles?{mine}", reader),
        (f"/api/articles?{mine}&limit=1&offset=1", reader),
        (f"/api/articles?{mine}&offset=50", reader),  # past the end: the total still right
        (f"/api/articles?tag={prefix}only", None),
        (f"/api/articles?favorited={reader.username}", reader),
        ("/api/articles/feed?limit=3", reader),
        (f"/api/articles/{slugs[0]}", None),
        (f"/api/articles/{slugs[0]}", reader),
        ("/api/articles/no-such-article", reader),
    ]
    return reader, reads


async def _answers(client: AsyncClient, reads: list[tuple[str, Any]]) -> list[tuple[int, Any]]:
    answers = []
    for url, user in reads:
        response = await client.get(url, headers=user.headers if user else {})
        body = response.json()
        if isinstance(body, dict):
            body.pop("request_id", None)
        answers.append((response.status_code, body))
    return answers


async def test_driver_and_ordinary_reads_give_the_same_answers(
    committed: tuple[AsyncClient, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, prefix = committed
    _, reads = await _world(client, prefix)
    ordinary_runs = 0
    ordinary = DriverRead._ordinary

    async def counted(self: DriverRead, *args: Any) -> Any:
        nonlocal ordinary_runs
        ordinary_runs += 1
        return await ordinary(self, *args)

    monkeypatch.setattr(DriverRead, "_ordinary", counted)
    on_the_driver = await _answers(client, reads)
    assert ordinary_runs == 0  # every read above went to the driver

    monkeypatch.setattr(DriverRead, "fetch", DriverRead._ordinary)
    the_ordinary_way = await _answers(client, reads)

    assert on_the_driver == the_ordinary_way
    assert on_the_driver[0][0] == 200
    assert on_the_driver[4][1]["articlesCount"] == 3
    assert on_the_driver[-1][0] == 404
