"""lifeworld.local on a network of the test's own: two network namespaces joined by a veth pair
(root only). Nothing is ever announced on this machine's real interfaces: the announcer and the
browser each run inside a namespace that holds nothing but the veth end and its loopback."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SERVER, CLIENT = "10.231.0.1", "10.231.0.2"


@dataclass(frozen=True)
class Lan:
    server_ns: str
    client_ns: str

    def python(self, ns: str, *args: str) -> list[str]:
        return ["ip", "netns", "exec", ns, sys.executable, "-m", "tests.integration.mdns.peer",
                *args]  # fmt: skip


def _ip(*args: str) -> None:
    done = subprocess.run(["ip", *args], capture_output=True, text=True)
    assert done.returncode == 0, f"ip {' '.join(args)}: {done.stderr}"


@pytest.fixture
def lan() -> Iterator[Lan]:
    if os.geteuid() != 0 or shutil.which("ip") is None:
        pytest.fail("the mDNS test makes network namespaces: it needs root and iproute2")
    tag = secrets.token_hex(3)
    server_ns, client_ns = f"lw-mdns-s-{tag}", f"lw-mdns-c-{tag}"
    made: list[str] = []
    try:
        for ns in (server_ns, client_ns):
            _ip("netns", "add", ns)
            made.append(ns)
        _ip("link", "add", f"lws{tag}", "type", "veth", "peer", "name", f"lwc{tag}")
        for ns, dev, address in (
            (server_ns, f"lws{tag}", SERVER),
            (client_ns, f"lwc{tag}", CLIENT),
        ):
            _ip("link", "set", dev, "netns", ns)
            _ip("-n", ns, "addr", "add", f"{address}/24", "dev", dev)
            _ip("-n", ns, "link", "set", dev, "up")
            _ip("-n", ns, "link", "set", "lo", "up")
            _ip("-n", ns, "route", "add", "224.0.0.0/4", "dev", dev)
        yield Lan(server_ns, client_ns)
    finally:
        for ns in made:  # the veth pair goes with them
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


class Announcer:
    def __init__(self, lan: Lan, ns: str, name: str, address: str, port: int) -> None:
        self.proc = subprocess.Popen(
            lan.python(ns, "announce", name, address, str(port)), cwd=ROOT, env=_env(),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line.startswith("READY "):
            error = self.proc.stderr.read() if self.proc.stderr else ""
            self.stop()
            pytest.fail(f"the announcer did not start: {line}{error}")
        self.name = line.split()[1]

    def stop(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()  # it says goodbye on the network and exits
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


def _resolve(lan: Lan, host: str) -> dict[str, object]:
    done = subprocess.run(
        lan.python(lan.client_ns, "resolve", host, CLIENT), cwd=ROOT, env=_env(),
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_a_browser_on_the_lan_resolves_lifeworld_local(lan: Lan) -> None:
    server = Announcer(lan, lan.server_ns, "lifeworld", SERVER, 5173)
    try:
        assert server.name == "lifeworld"
        found = _resolve(lan, "lifeworld.local")
        assert found["addresses"] == [SERVER]
        assert found["service"] == {
            "server": "lifeworld.local.",
            "port": 5173,
            "addresses": [SERVER],
        }
    finally:
        server.stop()


def test_a_name_another_machine_has_gets_a_suffix(lan: Lan) -> None:
    other = Announcer(lan, lan.client_ns, "lifeworld", CLIENT, 8443)  # another machine
    try:
        server = Announcer(lan, lan.server_ns, "lifeworld", SERVER, 5173)
        try:
            assert server.name == "lifeworld-2"
            assert _resolve(lan, "lifeworld-2.local")["addresses"] == [SERVER]
        finally:
            server.stop()
    finally:
        other.stop()
