"""`lifeworld serve --workers 2`: every scrape adds up both workers' counts, and a worker that died
is dropped from the live gauges while its counts stay. Over HTTPS, the default: both workers
serve TLS and plain HTTP on the one port (tls/listener.py), and a restarted worker too."""

from __future__ import annotations

import os
import signal
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest
from prometheus_client.multiprocess import MultiProcessCollector

from lifeworld.db import migrate
from tests.faults.harness import free_port
from tests.integration.ops.support import value

PING = {"method": "GET", "route": "/api/v1/ping", "status": "200"}
COUNT = "lifeworld_http_request_duration_seconds_count"
DEADLINE_S = 90


@dataclass
class Served:
    url: str
    process: subprocess.Popen[bytes]
    metrics_dir: Path
    log: Path
    data_dir: Path

    @cached_property
    def verify(self) -> ssl.SSLContext:
        """Trusts the home CA `lifeworld serve` made before its workers started."""
        return ssl.create_default_context(cafile=self.data_dir / "tls" / "home-ca.crt")

    def get(self, path: str) -> httpx.Response:
        """A request on a new connection (a new TLS handshake each time)."""
        return httpx.get(f"{self.url}{path}", timeout=10, verify=self.verify)

    def workers(self) -> list[psutil.Process]:
        children = psutil.Process(self.process.pid).children()
        return [c for c in children if "spawn_main" in " ".join(c.cmdline())]

    def scrape(self) -> str:
        response = self.get("/metrics")
        assert response.status_code == 200, response.text
        return response.text

    def pings_by_pid(self) -> dict[int, float]:
        """Each worker's own ping count, read from its file in the metrics directory."""
        counts: dict[int, float] = {}
        for path in self.metrics_dir.glob("histogram_*.db"):
            pid = int(path.stem.rsplit("_", 1)[1])
            for family in MultiProcessCollector.merge([str(path)], accumulate=True):
                for sample in family.samples:
                    if sample.name == COUNT and sample.labels == PING:
                        counts[pid] = counts.get(pid, 0) + sample.value
        return counts


def wait_for(check: Any, what: str, served: Served) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not check():
        if served.process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"{what}: not reached\n{served.log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.2)


@pytest.fixture
def served(create_database: Any, tmp_path: Path) -> Iterator[Served]:
    url = create_database("lifeworld_workers")
    migrate.upgrade(url)
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    (metrics_dir / "counter_999999.db").write_bytes(b"left over by an earlier run")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIFEWORLD_")}
    env |= {
        "LIFEWORLD_ENV": "test",
        "LIFEWORLD_DATABASE_URL": url,
        "LIFEWORLD_DATA_DIR": str(tmp_path / "data"),
        "LIFEWORLD_LOG_LEVEL": "warning",
        "LIFEWORLD_MDNS": "off",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }
    log = tmp_path / "serve.log"
    command = [sys.executable, "-c", "from lifeworld.cli import main; main()", "serve"]
    command += ["--workers", "2", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, env=env, cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
    result = Served(f"https://127.0.0.1:{port}", process, metrics_dir, log, tmp_path / "data")
    try:
        wait_for(lambda: _healthy(result) and len(result.workers()) == 2, "2 workers", result)
        yield result
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # our own session: the server and workers
                process.wait(timeout=10)


def _healthy(served: Served) -> bool:
    try:
        return served.get("/api/v1/health").status_code == 200
    except (httpx.HTTPError, OSError):  # OSError: the home CA's file is not there yet
        return False


def test_both_workers_counts_add_up_in_every_scrape(served: Served) -> None:
    assert not (served.metrics_dir / "counter_999999.db").exists()  # a clean start
    plain = httpx.get(served.url.replace("https://", "http://") + "/metrics", timeout=10)
    assert plain.status_code == 307 and plain.headers["location"] == f"{served.url}/metrics"
    sent = 0
    while len([c for c in served.pings_by_pid().values() if c > 0]) < 2:
        assert sent < 4000, "every new connection went to the same worker"
        for _ in range(20):
            assert served.get("/api/v1/ping").status_code == 200
        sent += 20
    # A request's duration is observed once its answer is sent: the last one may land a moment
    # after the client has it (seen on a loaded machine: 59 of 60).
    wait_for(lambda: sum(served.pings_by_pid().values()) == sent, f"{sent} pings counted", served)
    for _ in range(4):  # whichever worker answers the scrape, it reports both
        text = served.scrape()
        assert value(text, COUNT, **PING) == sent
        assert value(text, "lifeworld_workers") == 2

    victim = served.workers()[0]
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    wait_for(
        lambda: len(served.workers()) == 2 and victim.pid not in {w.pid for w in served.workers()},
        "the worker restarted",
        served,
    )
    wait_for(lambda: _healthy(served), "healthy again", served)
    wait_for(lambda: value(served.scrape(), "lifeworld_workers") == 2, "2 live workers", served)
    text = served.scrape()
    assert value(text, COUNT, **PING) == sent  # the dead worker's requests still count
    assert not list(served.metrics_dir.glob(f"gauge_live*_{victim.pid}.db"))
