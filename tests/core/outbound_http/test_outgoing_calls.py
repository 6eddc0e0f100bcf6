"""Outgoing calls against a real HTTP server on loopback: slow, failing, refusing peers."""

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from app.core.config import Settings
from app.core.outbound_http import UpstreamTimeout, UpstreamUnavailable, create_http_client, send
from tests.support.peer import Peer, running_peer
from tests.support.ports import free_port


@pytest.fixture(scope="module")
def peer() -> Iterator[Peer]:
    with running_peer() as peer:
        yield peer


@pytest.fixture
def quick(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "http_client_read_timeout_seconds": 0.3,
            "http_client_retry_base_seconds": 0.01,
            "http_client_retries": 2,
            "http_client_deadline_seconds": 5,
        }
    )


@pytest.fixture
async def client(quick: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with create_http_client(quick) as client:
        yield client


async def test_the_client_has_explicit_bounds(quick: Settings) -> None:
    async with create_http_client(quick) as client:
        assert client.timeout.read == 0.3
        assert client.timeout.connect == quick.http_client_connect_timeout_seconds
        assert client.timeout.pool == quick.http_client_pool_timeout_seconds
        assert not client.follow_redirects


async def test_a_slow_peer_times_out_as_504(
    peer: Peer, client: httpx.AsyncClient, quick: Settings
) -> None:
    with pytest.raises(UpstreamTimeout):
        await send(client, "POST", f"{peer.base_url}/slow?seconds=3", settings=quick)
    assert peer.count("/slow") == 1  # a POST is not retried


async def test_the_deadline_bounds_all_retries(
    peer: Peer, client: httpx.AsyncClient, quick: Settings
) -> None:
    tight = quick.model_copy(update={"http_client_deadline_seconds": 0.2, "http_client_retries": 5})
    with pytest.raises(UpstreamTimeout):
        await send(client, "GET", f"{peer.base_url}/slow?seconds=3", settings=tight)


async def test_a_failing_peer_is_retried_for_get(
    peer: Peer, client: httpx.AsyncClient, quick: Settings
) -> None:
    response = await send(client, "GET", f"{peer.base_url}/flaky/get?failures=2", settings=quick)
    assert response.status_code == 200
    assert peer.count("/flaky/get") == 3


async def test_a_failing_peer_is_not_retried_for_post(
    peer: Peer, client: httpx.AsyncClient, quick: Settings
) -> None:
    response = await send(client, "POST", f"{peer.base_url}/flaky/post?failures=2", settings=quick)
    assert response.status_code == 503
    assert peer.count("/flaky/post") == 1


async def test_retries_give_up_with_the_last_answer(
    peer: Peer, client: httpx.AsyncClient, quick: Settings
) -> None:
    response = await send(client, "GET", f"{peer.base_url}/flaky/many?failures=9", settings=quick)
    assert response.status_code == 503
    assert peer.count("/flaky/many") == 3  # one call and two retries


async def test_a_refusing_peer_is_502(client: httpx.AsyncClient, quick: Settings) -> None:
    closed = f"http://127.0.0.1:{free_port()}/"  # nothing listens there
    with pytest.raises(UpstreamUnavailable) as caught:
        await send(client, "GET", closed, settings=quick)
    assert caught.value.status_code == 502


async def test_redirects_are_answers_not_followed(
    peer: Peer, client: httpx.AsyncClient, quick: Settings
) -> None:
    response = await send(client, "GET", f"{peer.base_url}/redirect", settings=quick)
    assert response.status_code == 302
    assert peer.count("/ok") == 0
