"""Who is on the other end of a request: the client's address and scheme behind trusted proxies.

`LIFEWORLD_FORWARDED_ALLOW_IPS` names the proxies (addresses or networks) whose
`X-Forwarded-For` and `X-Forwarded-Proto` are believed. Each proxy appends the address it was
reached from, so the entries at the right were written by proxies we trust and the entries at
the left by whoever sent the request: the client is the right-most entry that is not one of
our proxies. Anything a client wrote itself stays to the left of that and is never read.

`*` says "only proxies can reach the app" (a container network, a cluster with a
NetworkPolicy): every connection is taken for a proxy, but no address inside the header is,
so the client is the right-most entry, the one the proxy that connected wrote. Behind two
proxies, name the inner one's network instead, or every request shares the outer one's address.

`ForwardedClient` resolves this once per request into the ASGI scope's `client` and `scheme`;
everything else reads the result through `client_address` (sign-in throttles, the sessions'
recorded address, who may scrape /metrics).
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
SCHEMES = frozenset({"http", "https"})
UNKNOWN = "unknown"


class InvalidProxyList(ValueError):
    """A LIFEWORLD_FORWARDED_ALLOW_IPS entry that is neither an address nor a network."""


def parse_address(text: str) -> IPAddress | None:
    """An address as a proxy writes it ("203.0.113.7", "203.0.113.7:5123", "[2001:db8::1]:443",
    "2001:db8::1"), IPv4-mapped IPv6 read as IPv4; None for anything else."""
    value, port = text.strip(), ""
    if value.startswith("["):
        value, _, rest = value[1:].partition("]")
        if rest:
            head, _, port = rest.partition(":")
            if head or not port:
                return None
    elif value.count(":") == 1:
        value, _, port = value.partition(":")
    if port and not port.isdigit():
        return None
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


class TrustedProxies:
    """The proxies of LIFEWORLD_FORWARDED_ALLOW_IPS: `*`, or addresses and networks."""

    def __init__(self, spec: str) -> None:
        entries = [e.strip() for e in spec.split(",") if e.strip()]
        self.any_peer = entries == ["*"]
        self.networks: tuple[IPNetwork, ...] = ()
        if not self.any_peer:
            self.networks = tuple(_network(e) for e in entries)
        # A connection's peer is nearly always one of a few (the proxy, this machine).
        self.peer = functools.lru_cache(maxsize=4096)(self._peer)

    def is_proxy(self, address: IPAddress) -> bool:
        """An address inside the forwarded chain that belongs to one of our proxies."""
        return any(address in network for network in self.networks)

    def _peer(self, host: str) -> tuple[IPAddress | None, str, bool]:
        """The connection's peer as an address and in its one spelling, and whether its
        headers are believed."""
        address = parse_address(host)
        if address is None:
            return None, host, False
        return address, str(address), self.any_peer or self.is_proxy(address)


def _network(entry: str) -> IPNetwork:
    if entry == "*":
        raise InvalidProxyList("'*' cannot be combined with addresses")
    try:
        return ipaddress.ip_network(entry, strict=False)
    except ValueError:
        raise InvalidProxyList(
            f"{entry!r} is neither an IP address nor a network (e.g. 10.0.0.0/8)"
        ) from None


def client_from_chain(
    peer: IPAddress, forwarded_for: Iterable[str], trusted: TrustedProxies
) -> IPAddress:
    """The right-most address of the chain that is not one of our proxies.

    The walk goes from the connection's peer leftwards. An entry that is not an address (a
    proxy that writes names, a broken header) ends it: the last address known is the client.
    When every entry is a proxy, the left-most is (a proxy of ours made the request itself).
    """
    entries = [e for value in forwarded_for for e in value.split(",")]
    client = peer
    for entry in reversed(entries):
        address = parse_address(entry)
        if address is None:
            return client
        client = address
        if not trusted.is_proxy(address):
            return client
    return client


def resolve(
    peer_host: str, headers: Iterable[tuple[bytes, bytes]], trusted: TrustedProxies
) -> tuple[str, str | None]:
    """(client address, scheme or None): the peer's own, or a trusted proxy's word for it.

    Addresses come out in one spelling (IPv4-mapped IPv6 as IPv4, IPv6 compressed), so one
    client is one key for the throttles however its address was written.
    """
    peer, spelled, believed = trusted.peer(peer_host)
    if peer is None or not believed:
        return spelled, None  # not a proxy (or not an IP connection): nothing to resolve
    forwarded_for: list[str] = []
    proto: str | None = None
    for name, value in headers:
        if name == b"x-forwarded-for":
            forwarded_for.append(value.decode("latin-1"))
        elif name == b"x-forwarded-proto":
            # A proxy that appends rather than replaces: the last value is its own.
            proto = value.decode("latin-1").rpartition(",")[2].strip().lower()
    client = str(client_from_chain(peer, forwarded_for, trusted)) if forwarded_for else spelled
    return client, proto if proto in SCHEMES else None


class ForwardedClient:
    """Set the scope's client address and scheme from a trusted proxy's headers."""

    def __init__(self, app: ASGIApp, *, trusted: str) -> None:
        self.app = app
        self.trusted = TrustedProxies(trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            peer = scope.get("client")
            if peer:
                client, proto = resolve(peer[0], scope["headers"], self.trusted)
                scope["client"] = (client, peer[1] if client == peer[0] else 0)
                if proto is not None:
                    scope["scheme"] = proto
        await self.app(scope, receive, send)


def client_address(request: HTTPConnection) -> str:
    """The client's address as the app uses it everywhere: throttles, sessions, /metrics."""
    client = request.client
    return client.host if client else UNKNOWN
