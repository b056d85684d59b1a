"""lifeworld.local on the home network: an mDNS host name and a DNS-SD service for it.

Phones resolve `<name>.local` by asking the local network (multicast DNS), so nobody has to
type an IP address. A name that another machine already answers for gets a suffix
(lifeworld-2.local, …). Off with LIFEWORLD_MDNS=off, which the test script and CI set: only
tests that make their own network namespace announce anything (tests/integration/test_mdns.py).
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from zeroconf import AddressResolverIPv4, IPVersion, ServiceInfo, Zeroconf

log = logging.getLogger(__name__)

PROBE_MS = 1500  # how long an answer to "who is lifeworld.local?" is waited for
MAX_SUFFIX = 20
SERVICE_TYPES = {True: "_https._tcp.local.", False: "_http._tcp.local."}


def lan_ipv4(addresses: Iterable[str]) -> list[str]:
    """The addresses other devices can reach: IPv4, not loopback, not link-local."""
    found = []
    for text in addresses:
        try:
            address = ipaddress.ip_address(text)
        except ValueError:
            continue
        if address.version == 4 and not (address.is_loopback or address.is_link_local):
            found.append(text)
    return found


def candidates(name: str) -> Iterator[str]:
    """lifeworld, lifeworld-2, lifeworld-3, …"""
    yield name
    for number in range(2, MAX_SUFFIX + 1):
        yield f"{name[: 63 - len(str(number)) - 1]}-{number}"


@dataclass
class Announcement:
    """The name this server answers to on the network, until `close()`."""

    zeroconf: Zeroconf
    info: ServiceInfo
    name: str  # "lifeworld" or "lifeworld-2"
    wanted: str

    @property
    def host(self) -> str:
        return f"{self.name}.local"

    @property
    def renamed(self) -> bool:
        return self.name != self.wanted

    def close(self) -> None:
        """Say goodbye on the network (the name is free at once) and close the sockets."""
        try:
            self.zeroconf.unregister_service(self.info)
        finally:
            self.zeroconf.close()


def _taken(zc: Zeroconf, host: str, ours: set[str]) -> bool:
    """Another machine answers for `host` (an answer with this machine's addresses is not one)."""
    resolver = AddressResolverIPv4(f"{host}.")
    if not resolver.request(zc, PROBE_MS):
        return False
    return not set(resolver.parsed_addresses()) & ours


def announce(wanted: str, port: int, addresses: list[str], *, https: bool) -> Announcement | None:
    """Answer for `<wanted>.local` (or the first free suffix) with `addresses`, and publish the
    web app as a DNS-SD service. None when there is no LAN address to announce."""
    lan = lan_ipv4(addresses)
    if not lan:
        return None
    zc = Zeroconf(interfaces=lan, ip_version=IPVersion.V4Only)
    try:
        name = next((n for n in candidates(wanted) if not _taken(zc, f"{n}.local", set(lan))), None)
        if name is None:
            raise RuntimeError(f"{wanted}.local and its {MAX_SUFFIX - 1} suffixes are all taken")
        kind = SERVICE_TYPES[https]
        info = ServiceInfo(
            kind,
            f"Life World OS ({name}).{kind}",
            addresses=[socket.inet_aton(a) for a in lan],
            port=port,
            server=f"{name}.local.",
            properties={"path": "/"},
        )
        zc.register_service(info, allow_name_change=True)
    except BaseException:
        zc.close()
        raise
    log.info("announced %s.local at %s", name, ", ".join(lan))
    return Announcement(zc, info, name, wanted)
