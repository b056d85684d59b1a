"""The machine's own addresses: the LAN URL to print, and which Host headers to accept."""

from __future__ import annotations

import ipaddress
import socket
from functools import lru_cache
from urllib.parse import urlsplit

import psutil

LOCAL_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


def machine_addresses() -> list[str]:
    """Every IPv4/IPv6 address configured on this machine's interfaces (no shelling out)."""
    found: list[str] = []
    for addresses in psutil.net_if_addrs().values():
        for addr in addresses:
            if addr.family in (socket.AF_INET, socket.AF_INET6):
                host = addr.address.split("%", 1)[0]
                if host not in found:
                    found.append(host)
    return found


def lan_address() -> str | None:
    """The address other devices on the home network reach this machine at, if any."""
    # A UDP "connect" sends nothing: it only asks the kernel which source address it would use.
    for probe in ("192.168.255.255", "10.255.255.255", "172.31.255.255"):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            try:
                sock.connect((probe, 9))
                address = str(sock.getsockname()[0])
            except OSError:
                continue
        if not ipaddress.ip_address(address).is_loopback and address != "0.0.0.0":
            return address
    candidates = [
        a
        for a in machine_addresses()
        if ":" not in a
        and ipaddress.ip_address(a).is_private
        and not ipaddress.ip_address(a).is_loopback
    ]
    return candidates[0] if candidates else None


@lru_cache(maxsize=8)
def allowed_hosts(public_url: str | None, extra: tuple[str, ...] = ()) -> frozenset[str]:
    """Host names the app answers to: the public URL's host, or the machine's own names.

    The machine's IP addresses are always accepted (a load balancer's health check or a
    phone typing the LAN address names no host); names are what DNS rebinding would abuse.
    """
    names = {*LOCAL_NAMES, *extra}
    names.update(a.lower() for a in machine_addresses())
    if public_url:
        host = urlsplit(public_url).hostname
        if host:
            names.add(host.lower())
        return frozenset(names)
    name = socket.gethostname().lower()
    names.update({name, f"{name}.local", f"{name}.lan"})
    return frozenset(names)


def host_of(header: str) -> str:
    """The host part of a Host or Origin value, without port or brackets."""
    value = header.strip().lower()
    if "://" in value:
        return (urlsplit(value).hostname or "").lower()
    if value.startswith("["):
        return value[1:].split("]", 1)[0]
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value
