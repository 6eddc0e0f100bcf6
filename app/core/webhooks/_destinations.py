"""The SSRF guard: webhooks go to public addresses only, unless the allow-list says so.

A user chooses the URL, and the server sends the request: without this, a webhook could
reach the database, the metrics port, a cloud metadata service (169.254.169.254) or
anything else on the internal network. Refused: every address that is not globally
routable (private, loopback, link-local, shared, documentation, reserved, unspecified) and
multicast, IPv4 addresses written as IPv6 (`::ffff:10.0.0.1`: the IPv4 is checked), and
every IPv6 range that carries an IPv4 address to another network, whatever it embeds:
NAT64 (`64:ff9b::/96`, `64:ff9b:1::/48`), 6to4 (`2002::/16`), IPv4-compatible (`::/96`)
and Teredo (`2001::/32`) — Python counts some of them as global, and each could lead to
169.254.169.254 through a translator. `WEBHOOK_ALLOWED_NETWORKS` (CIDRs) admits chosen
ranges (the tests allow loopback).

Every refusal of a destination says the same (`REFUSED`): a different message for "does not
resolve" and "resolves to a private address" would let a user map internal DNS names.

At registration a URL is checked as written (scheme, no credentials, an IP literal or
`localhost` must be allowed). At delivery the host name is resolved, *every* address is
checked, and the request goes to a checked address (`pinned_request`): a name that
resolves to a public address once and to an internal one next (DNS rebinding) cannot
slip between check and connect.
"""

import asyncio
import ipaddress
import socket
from urllib.parse import SplitResult, urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Networks = tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]


REFUSED = "is not an allowed destination: it must resolve to public addresses only"
# Ranges that carry IPv4 to another network: refused whatever address they embed.
TRANSITION_NETWORKS: Networks = tuple(
    ipaddress.ip_network(cidr)
    for cidr in ("64:ff9b::/96", "64:ff9b:1::/48", "2002::/16", "::/96", "2001::/32")
)


class ForbiddenDestination(ValueError):
    """The URL is malformed or points where webhooks may not go."""


def allowed_networks(cidrs: list[str]) -> Networks:
    return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)


def is_allowed(address: IPAddress, allowed: Networks) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if any(address in network for network in allowed):
        return True
    if any(address in network for network in TRANSITION_NETWORKS):
        return False
    return address.is_global and not address.is_multicast


def parse_destination(url: str, allowed: Networks) -> SplitResult:
    """The URL's parts, when it is an acceptable webhook URL as written."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ForbiddenDestination("must be an http or https URL")
    if parts.username is not None or parts.password is not None:
        raise ForbiddenDestination("must not contain credentials")
    try:
        parts.port  # noqa: B018 (raises on a port out of range)
    except ValueError as error:
        raise ForbiddenDestination("has an invalid port") from error
    host = parts.hostname
    literal = _ip_literal(host)
    if host == "localhost" or host.endswith(".localhost"):
        literal = ipaddress.ip_address("127.0.0.1")
    if literal is not None and not is_allowed(literal, allowed):
        raise ForbiddenDestination(REFUSED)
    return parts


def _ip_literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


async def resolve_checked(host: str, port: int, allowed: Networks) -> list[IPAddress]:
    """Every address `host` resolves to, all of them allowed, or ForbiddenDestination."""
    literal = _ip_literal(host)
    if literal is not None:
        addresses = [literal]
    else:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM
            )
        except OSError as error:
            raise ForbiddenDestination(REFUSED) from error
        addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in infos))
    if not addresses or not all(is_allowed(address, allowed) for address in addresses):
        raise ForbiddenDestination(REFUSED)
    return addresses
