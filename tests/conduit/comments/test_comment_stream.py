"""Live comments across two server processes: the production start command, twice.

A comment posted through server A reaches a stream served by server B (PostgreSQL
LISTEN/NOTIFY), a reconnecting client is replayed what it missed (`Last-Event-ID`), the
per-worker cap answers 503, and a shutting-down server ends its streams at once.
"""

import os
import signal
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack, asynccontextmanager
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.streams import StreamEvent
from app.identity.users.models import User
from tests.deploy.server import RunningServer, production_server
from tests.support.articles import create_article
from tests.support.sse_client import EventReader
from tests.support.users import RegisteredUser, register

CAP = 3
PER_CLIENT = 2  # from one loopback address; the tests use 127.0.0.1-4 as four clients
GRACEFUL_TIMEOUT = 20
STREAM_SETTINGS = {
    "STREAM_HEARTBEAT_SECONDS": "1",
    "STREAM_MAX_PER_WORKER": str(CAP),
    "STREAM_MAX_PER_CLIENT": str(PER_CLIENT),
    "GUNICORN_GRACEFUL_TIMEOUT": str(GRACEFUL_TIMEOUT),
}


@dataclass
class Setup:
    a: RunningServer
    b: RunningServer
    author: RegisteredUser
    slug: str


@pytest.fixture
def two_servers() -> Iterator[tuple[RunningServer, RunningServer]]:
    with ExitStack() as stack:
        a = stack.enter_context(production_server(workers=1, **STREAM_SETTINGS))
        b = stack.enter_context(production_server(workers=1, **STREAM_SETTINGS))
        yield a, b


@pytest.fixture
async def setup(
    two_servers: tuple[RunningServer, RunningServer], engine: AsyncEngine
) -> AsyncIterator[Setup]:
    a, b = two_servers
    name = f"live{uuid.uuid4().hex[:10]}"
    async with httpx.AsyncClient(base_url=a.base_url, timeout=30) as client:
        author = await register(client, name)
        article = await create_article(client, author, title=f"Live {name}")
    yield Setup(a, b, author, article["slug"])
    async with engine.begin() as connection:  # articles and comments go with their author
        await connection.execute(delete(User).where(User.username == name))
        await connection.execute(delete(StreamEvent).where(StreamEvent.channel == "comments"))


@asynccontextmanager
async def stream(
    server: RunningServer, slug: str, last_event_id: int | None = None, source: str = "127.0.0.1"
) -> AsyncIterator[EventReader]:
    """An open stream, from the loopback address `source` (each is a client of its own)."""
    headers = {} if last_event_id is None else {"Last-Event-ID": str(last_event_id)}
    url = f"{server.base_url}/api/articles/{slug}/comments/stream"
    transport = httpx.AsyncHTTPTransport(local_address=source)
    async with (
        httpx.AsyncClient(transport=transport, timeout=httpx.Timeout(30, read=None)) as client,
        client.stream("GET", url, headers=headers) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        reader = EventReader(response)
        assert await reader.comment() == "open"  # subscribed: what follows is ours
        yield reader


async def _comment(server: RunningServer, setup: Setup, body: str) -> int:
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as client:
        response = await client.post(
            f"/api/articles/{setup.slug}/comments",
            json={"comment": {"body": body}},
            headers=setup.author.headers,
        )
    assert response.status_code == 201
    comment_id: int = response.json()["comment"]["id"]
    return comment_id


async def _delete(server: RunningServer, setup: Setup, comment_id: int) -> None:
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as client:
        url = f"/api/articles/{setup.slug}/comments/{comment_id}"
        response = await client.delete(url, headers=setup.author.headers)
    assert response.status_code == 204


async def test_a_comment_posted_on_one_server_reaches_a_stream_on_the_other(
    setup: Setup,
) -> None:
    async with stream(setup.b, setup.slug) as live:
        first = await _comment(setup.a, setup, "hello from A")
        created = await live.next()
        await _delete(setup.a, setup, first)
        deleted = await live.next()
        heartbeat = await live.comment()

    assert created.event == "comment.created"
    assert created.data["comment"]["id"] == first
    assert created.data["comment"]["body"] == "hello from A"
    assert created.data["comment"]["author"]["username"] == setup.author.username
    assert deleted.event == "comment.deleted"
    assert deleted.data == {"id": first}
    assert created.id is not None
    assert deleted.id is not None
    assert deleted.id > created.id
    assert heartbeat == "heartbeat"


async def test_a_reconnecting_client_is_replayed_what_it_missed(setup: Setup) -> None:
    async with stream(setup.b, setup.slug) as live:
        first = await _comment(setup.a, setup, "seen live")
        seen = await live.next()
    # Disconnected: two changes happen meanwhile, through the other server.
    await _delete(setup.a, setup, first)
    missed = await _comment(setup.a, setup, "missed")

    assert seen.id is not None
    async with stream(setup.b, setup.slug, last_event_id=seen.id) as resumed:
        replayed = [await resumed.next(), await resumed.next()]
        later = await _comment(setup.a, setup, "live again")
        live_again = await resumed.next()

    assert [(event.event, event.data) for event in replayed] == [
        ("comment.deleted", {"id": first}),
        ("comment.created", replayed[1].data),
    ]
    assert replayed[1].data["comment"]["id"] == missed
    assert live_again.data["comment"]["id"] == later


async def test_streams_beyond_the_cap_get_503_with_retry_after(setup: Setup) -> None:
    url = f"{setup.b.base_url}/api/articles/{setup.slug}/comments/stream"
    async with (
        stream(setup.b, setup.slug),
        stream(setup.b, setup.slug, source="127.0.0.2"),
        stream(setup.b, setup.slug, source="127.0.0.3"),
    ):
        fourth = httpx.AsyncHTTPTransport(local_address="127.0.0.4")
        async with httpx.AsyncClient(transport=fourth, timeout=30) as client:
            refused = await client.get(url)
        async with httpx.AsyncClient(timeout=30) as client:
            elsewhere = await client.get(f"{setup.a.base_url}/api/articles/missing/comments/stream")

    assert refused.status_code == 503
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.headers["Retry-After"] == "5"
    assert refused.json()["errors"] == {"stream": ["too many open streams"]}
    assert elsewhere.status_code == 404
    # A slot is free again once a stream ends.
    async with stream(setup.b, setup.slug):
        pass


async def test_a_client_at_its_share_gets_429_while_another_opens_one(setup: Setup) -> None:
    url = f"{setup.b.base_url}/api/articles/{setup.slug}/comments/stream"
    async with stream(setup.b, setup.slug), stream(setup.b, setup.slug):
        async with httpx.AsyncClient(timeout=30) as client:
            refused = await client.get(url)
        # Another client still opens one (`stream` checks the 200 and the subscription).
        async with stream(setup.b, setup.slug, source="127.0.0.2"):
            pass

    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.headers["Retry-After"] == "5"
    assert refused.json()["errors"] == {"stream": ["too many open streams of yours"]}


async def test_shutdown_ends_open_streams_and_does_not_hang(setup: Setup) -> None:
    async with stream(setup.b, setup.slug) as live:
        os.kill(setup.b.process.pid, signal.SIGTERM)
        assert await live.ended()
    exit_code = setup.b.process.wait(timeout=GRACEFUL_TIMEOUT - 5)
    output = setup.b.output()

    assert exit_code == 0
    assert "database pool disposed" in output
