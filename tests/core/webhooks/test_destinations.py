"""The SSRF guard: which addresses are refused, resolution checked, the checked one used."""

import asyncio
import ipaddress
import socket

import pytest

from app.core.config import Settings
from app.core.outbound_http import UpstreamTimeout, create_http_client
from app.core.webhooks import (
    REFUSED,
    ForbiddenDestination,
    allowed_networks,
    is_allowed,
    post_pinned,
    resolve_checked,
)
from tests.support.peer import running_peer

NONE_ALLOWED = allowed_networks([])


@pytest.mark.parametrize(
    "address",
    [
        "10.1.2.3", "172.16.0.1", "192.168.1.1", "127.0.0.1", "169.254.169.254", "100.64.0.1",
        "0.0.0.0",  # noqa: S104 (an address to refuse, not to bind)
        "224.0.0.1", "240.0.0.1", "192.0.2.1", "::1", "fe80::1", "fc00::1", "ff02::1",
        "::ffff:10.0.0.1", "::ffff:127.0.0.1",
        # IPv4 carried in IPv6: NAT64 (both prefixes), 6to4, IPv4-compatible, Teredo. Refused
        # whatever they embed, a public IPv4 (8.8.8.8) too.
        "64:ff9b::a9fe:a9fe", "64:ff9b::808:808", "64:ff9b:1::a9fe:a9fe", "2002:a9fe:a9fe::1",
        "2002:808:808::1", "::a9fe:a9fe", "::808:808", "2001:0:4136:e378:8000:63bf:3fff:fdd2",
    ],
)  # fmt: skip
def test_non_public_addresses_are_refused(address: str) -> None:
    assert not is_allowed(ipaddress.ip_address(address), NONE_ALLOWED)


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:4700::6810:84e5", "8.8.8.8"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert is_allowed(ipaddress.ip_address(address), NONE_ALLOWED)


def test_the_allow_list_admits_its_networks_only() -> None:
    allowed = allowed_networks(["127.0.0.0/8", "10.9.0.0/16"])
    assert is_allowed(ipaddress.ip_address("127.0.0.1"), allowed)
    assert is_allowed(ipaddress.ip_address("::ffff:10.9.1.1"), allowed)
    assert not is_allowed(ipaddress.ip_address("10.8.0.1"), allowed)


def test_the_allow_list_can_admit_a_transition_range_on_purpose() -> None:
    assert is_allowed(
        ipaddress.ip_address("64:ff9b::a9fe:a9fe"), allowed_networks(["64:ff9b::/96"])
    )


async def test_names_are_checked_after_resolution() -> None:
    # A name, not a literal: only resolving it shows it is loopback (the rebinding case).
    with pytest.raises(ForbiddenDestination, match=REFUSED):
        await resolve_checked("localhost", 80, NONE_ALLOWED)
    addresses = await resolve_checked("localhost", 80, allowed_networks(["127.0.0.0/8", "::1"]))
    assert {str(address) for address in addresses} <= {"127.0.0.1", "::1"}


async def test_the_request_goes_to_the_checked_address_with_the_name_as_host(
    settings: Settings,
) -> None:
    tuned = settings.model_copy(update={"webhook_allowed_networks": ["127.0.0.0/8", "::1/128"]})
    with running_peer() as peer:
        port = peer.base_url.rsplit(":", 1)[1]
        async with create_http_client(tuned) as client:
            response = await post_pinned(
                client, f"http://localhost:{port}/ok", b"{}", {"X-Test": "1"}, tuned
            )
    assert response.status_code == 200
    assert peer.requests[-1].headers["host"] == f"localhost:{port}"
    assert peer.requests[-1].headers["x-test"] == "1"


async def test_a_name_that_does_not_resolve_is_refused_in_the_same_words(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No DNS oracle: "does not resolve" and "resolves to an internal address" read alike.
    The resolver is the test's own: nothing is asked of a real one."""

    async def no_such_name(*_: object, **__: object) -> list[object]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    loop = asyncio.get_running_loop()
    monkeypatch.setattr(loop, "getaddrinfo", no_such_name)
    with pytest.raises(ForbiddenDestination) as unresolved:
        await resolve_checked("internal-only.example", 80, NONE_ALLOWED)
    monkeypatch.undo()
    with pytest.raises(ForbiddenDestination) as internal:
        await resolve_checked("localhost", 80, NONE_ALLOWED)

    assert str(unresolved.value) == str(internal.value) == REFUSED


async def test_a_pinned_connection_is_not_kept_for_another_name(settings: Settings) -> None:
    """Pooled by the pinned address, a connection opened for one name (its TLS checked
    against that name) would otherwise carry the next request for another on the same
    address: each pinned request closes its connection."""
    tuned = settings.model_copy(update={"webhook_allowed_networks": ["127.0.0.0/8", "::1/128"]})
    with running_peer() as peer:
        port = peer.base_url.rsplit(":", 1)[1]
        async with create_http_client(tuned) as client:
            for name in ("localhost", "127.0.0.1"):
                await post_pinned(client, f"http://{name}:{port}/ok", b"{}", {}, tuned)
            pooled = len(client._transport._pool.connections)  # type: ignore[attr-defined]

    assert [request.headers["connection"] for request in peer.requests] == ["close", "close"]
    assert pooled == 0


async def test_without_the_allow_list_nothing_is_sent(settings: Settings) -> None:
    with running_peer() as peer:
        port = peer.base_url.rsplit(":", 1)[1]
        async with create_http_client(settings) as client:
            with pytest.raises(ForbiddenDestination):
                await post_pinned(client, f"http://localhost:{port}/ok", b"{}", {}, settings)
    assert peer.requests == []


async def test_resolution_is_bounded_by_the_connect_timeout(settings: Settings) -> None:
    # A resolver cannot answer within a nanosecond: the delivery ends as a 504, not a hang.
    hurried = settings.model_copy(
        update={
            "webhook_allowed_networks": ["127.0.0.0/8", "::1/128"],
            "http_client_connect_timeout_seconds": 1e-9,
        }
    )
    async with create_http_client(hurried) as client:
        with pytest.raises(UpstreamTimeout):
            await post_pinned(client, "http://localhost:9/", b"{}", {}, hurried)
