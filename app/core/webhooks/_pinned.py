"""A POST to a webhook URL, sent to the address the guard checked.

The URL's host is replaced by a checked IP address; the `Host` header keeps the name, and
for https the TLS server name (SNI, and so the certificate check) stays the name too.
Redirects are not followed (the client never follows them): a 3xx is a failed delivery.

The connection is closed after the answer (`Connection: close`): the client pools
connections by the pinned address, so one opened for a host name (its TLS session checked
against that name's certificate) could otherwise carry the next request for another name
on the same address.
"""

import asyncio
from ipaddress import IPv6Address
from urllib.parse import urlunsplit

import httpx

from app.core.config import Settings
from app.core.outbound_http import UpstreamTimeout, send
from app.core.webhooks._destinations import allowed_networks, parse_destination, resolve_checked


async def post_pinned(
    client: httpx.AsyncClient, url: str, body: bytes, headers: dict[str, str], settings: Settings
) -> httpx.Response:
    """Raises ForbiddenDestination, or UpstreamUnavailable / UpstreamTimeout (outbound_http)."""
    allowed = allowed_networks(settings.webhook_allowed_networks)
    parts = parse_destination(url, allowed)
    host = parts.hostname
    assert host is not None  # noqa: S101 (parse_destination requires one)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:  # the resolver has no deadline of its own: the connect timeout bounds it
        async with asyncio.timeout(settings.http_client_connect_timeout_seconds):
            address = (await resolve_checked(host, port, allowed))[0]
    except TimeoutError as error:
        raise UpstreamTimeout(
            "The webhook's host name did not resolve in time.", {"url": ["did not resolve in time"]}
        ) from error
    literal = f"[{address}]" if isinstance(address, IPv6Address) else str(address)
    pinned = urlunsplit(parts._replace(netloc=f"{literal}:{port}"))
    host_header = host if parts.port is None else f"{host}:{parts.port}"
    extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
    return await send(
        client,
        "POST",
        pinned,
        settings=settings,
        content=body,
        headers={
            **headers,
            "Host": host_header,
            "Content-Type": "application/json",
            "Connection": "close",
        },
        extensions=extensions,
    )
