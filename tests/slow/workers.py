"""Connections pinned to one uvicorn worker each, for `lifeworld serve --workers N`.

The workers share one listening socket and the kernel picks who accepts; which worker holds
a connection is read from the operating system (psutil), never from the app.
"""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from typing import Any

import psutil
import pytest

from tests.slow.processes import App


def _tcp(process: psutil.Process) -> list[Any]:
    connections = getattr(process, "net_connections", None) or process.connections
    return list(connections(kind="tcp"))


def worker_pids(app: App) -> set[int]:
    """Children of the serve process that listen on its port: the uvicorn workers."""
    found = set()
    for child in psutil.Process(app.proc.pid).children(recursive=True):
        try:
            if any(c.status == "LISTEN" and c.laddr.port == app.port for c in _tcp(child)):
                found.add(child.pid)
        except psutil.NoSuchProcess:
            continue
    return found


@dataclass
class Pinned:
    """A keep-alive connection to the worker `pid`."""

    pid: int
    conn: http.client.HTTPConnection

    def call(
        self, method: str, path: str, body: object = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], Any]:
        data = json.dumps(body).encode() if body is not None else None
        sent = {"Content-Type": "application/json", **(headers or {})}
        self.conn.request(method, path, body=data, headers=sent)
        response = self.conn.getresponse()
        raw = response.read()
        answered = {k.lower(): v for k, v in response.getheaders()}
        return response.status, answered, json.loads(raw) if raw else None


def _owner(local_port: int, pids: set[int]) -> int | None:
    for pid in pids:
        for c in _tcp(psutil.Process(pid)):
            if c.raddr and c.raddr.port == local_port and c.status == "ESTABLISHED":
                return pid
    return None


def pin_connections(app: App, workers: int, per_worker: int, attempts: int = 200) -> list[Pinned]:
    """`per_worker` open connections to each of the `workers` workers (bounded attempts)."""
    pids = worker_pids(app)
    assert len(pids) == workers, f"expected {workers} worker processes, found {pids}"
    pinned: dict[int, list[Pinned]] = {pid: [] for pid in pids}
    for _ in range(attempts):
        if all(len(p) >= per_worker for p in pinned.values()):
            return [p for group in pinned.values() for p in group]
        conn = http.client.HTTPConnection("127.0.0.1", app.port, timeout=30)
        conn.connect()
        local_port = conn.sock.getsockname()[1]
        probe = Pinned(0, conn)
        status, _, _ = probe.call("GET", "/api/v1/ping")  # answered: a worker has accepted it
        assert status == 200
        owner = _owner(local_port, pids)
        if owner is not None and len(pinned[owner]) < per_worker:
            pinned[owner].append(Pinned(owner, conn))
        else:
            conn.close()
    counts = {pid: len(p) for pid, p in pinned.items()}
    pytest.fail(f"the kernel did not spread {attempts} connections over the workers: {counts}")
