"""Throughput runs with wrk (Debian's package) and the bench's Lua script (bench/rotate.lua)."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

SCRIPT = Path(__file__).with_name("rotate.lua")
THREADS = 2


@dataclass(frozen=True)
class Req:
    """One HTTP request of a list wrk sends in turn."""

    method: str
    path: str
    body: str = ""
    headers: tuple[tuple[str, str], ...] = ()

    def line(self) -> str:
        parts = [self.method, self.path, self.body, *(f"{k}: {v}" for k, v in self.headers)]
        if any("\t" in p or "\n" in p for p in parts):
            raise ValueError(f"a request of the list holds a tab or newline: {self}")
        return "\t".join(parts)


@dataclass(frozen=True)
class Load:
    """What one bounded run measured."""

    tool: str
    connections: int
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    errors: int  # refused or broken connections, timeouts and answers with status >= 400
    beyond_list: int = 0  # requests sent after the list had been sent once

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def wrk_path() -> str:
    found = shutil.which("wrk") or ("/usr/bin/wrk" if Path("/usr/bin/wrk").exists() else None)
    if not found:
        raise SystemExit("wrk is needed: apt install wrk (./scripts/bench.sh installs it)")
    return found


def run_wrk(base: str, reqs: list[Req], *, seconds: int, connections: int) -> Load:
    """Send `reqs` in turn over `connections` keep-alive connections for `seconds`."""
    threads = min(THREADS, connections)
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", prefix="lifeworld-bench-") as listing:
        listing.write("\n".join(r.line() for r in reqs) + "\n")
        listing.flush()
        argv = [wrk_path(), f"-t{threads}", f"-c{connections}", f"-d{seconds}s",
                "--timeout", "10s", "-s", str(SCRIPT), base + reqs[0].path,
                "--", listing.name, str(threads)]  # fmt: skip
        out = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60)
    return parse_wrk(out.stdout + out.stderr, connections)


def parse_wrk(output: str, connections: int) -> Load:
    """The Load from the JSON line rotate.lua prints when wrk is done."""
    for line in output.splitlines():
        if line.startswith("BENCH_JSON "):
            doc = json.loads(line.removeprefix("BENCH_JSON "))
            break
    else:
        raise RuntimeError(f"wrk printed no result:\n{output[-2000:]}")
    errors = sum(doc[k] for k in ("connect", "read", "write", "status", "timeout"))
    return Load(
        tool="wrk",
        connections=connections,
        requests=int(doc["requests"]),
        seconds=doc["duration_us"] / 1e6,
        p50_ms=doc["p50_us"] / 1000,
        p99_ms=doc["p99_us"] / 1000,
        max_ms=doc["max_us"] / 1000,
        errors=int(errors),
        beyond_list=int(doc["beyond_list"]),
    )
