"""One side of the mDNS test, run inside a network namespace (`ip netns exec NS python -m …`).

announce NAME ADDRESS PORT   announce as `lifeworld serve` does; print READY <name>; stay
                             until stdin closes, then say goodbye
resolve HOST ADDRESS         print {"addresses": [...], "service": {...}} as JSON
"""

from __future__ import annotations

import json
import sys

from zeroconf import AddressResolverIPv4, IPVersion, Zeroconf

from lifeworld.mdns import announce

WAIT_MS = 3000


def _announce(name: str, address: str, port: str) -> None:
    announced = announce(name, int(port), [address], https=True)
    assert announced is not None
    print(f"READY {announced.name}", flush=True)
    try:
        sys.stdin.read()
    finally:
        announced.close()


def _resolve(host: str, address: str) -> None:
    zc = Zeroconf(interfaces=[address], ip_version=IPVersion.V4Only)
    try:
        resolver = AddressResolverIPv4(f"{host}.")
        resolver.request(zc, WAIT_MS)
        label = host.removesuffix(".local")
        kind = "_https._tcp.local."
        info = zc.get_service_info(kind, f"Life World OS ({label}).{kind}", timeout=WAIT_MS)
        service = None
        if info is not None:
            service = {
                "server": info.server,
                "port": info.port,
                "addresses": info.parsed_addresses(),
            }
        print(json.dumps({"addresses": resolver.parsed_addresses(), "service": service}))
    finally:
        zc.close()


if __name__ == "__main__":
    command, *arguments = sys.argv[1:]
    {"announce": _announce, "resolve": _resolve}[command](*arguments)
