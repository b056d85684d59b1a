"""Throughput runs with wrk (Debian's package) and the bench's Lua script (bench/rotate.lua)."""

from __future__ import annotations

import json
import re
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


_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def run_wrk_static(base: str, req: Req, *, seconds: int, connections: int) -> Load:
    """One request sent again and again, without the Lua script (the HTTPS rows).

    With a Lua `request()` wrk copies each request into a new buffer, and when OpenSSL asked it
    to retry a write it retries with that new buffer, which OpenSSL refuses ("bad write retry"):
    hundreds of write errors a second and reconnections (new handshakes) that measure wrk, not
    the server. A static request is written from one buffer.
    """
    if req.method != "GET" or req.body:
        raise ValueError("the static runs send GET requests without a body")
    threads = min(THREADS, connections)
    argv = [wrk_path(), f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
            "--latency", *(a for k, v in req.headers for a in ("-H", f"{k}: {v}")),
            base + req.path]  # fmt: skip
    out = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60).stdout
    return parse_static(out, connections)


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()  # type: ignore[union-attr]
    return float(number) * _UNIT_MS[unit]


def parse_static(output: str, connections: int) -> Load:
    """The Load from wrk's own summary (`--latency`)."""
    found = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s)", output)
    if found is None:
        raise RuntimeError(f"wrk printed no summary:\n{output[-2000:]}")
    requests, seconds = int(found[1]), _ms(found[2] + found[3]) / 1000
    percentile = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", output, flags=re.MULTILINE))
    latency_max = re.search(r"Latency\s+\S+\s+\S+\s+(\S+)", output)
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors += int(non2xx[1]) if non2xx else 0
    return Load(
        tool="wrk",
        connections=connections,
        requests=requests,
        seconds=seconds,
        p50_ms=_ms(percentile["50"]),
        p99_ms=_ms(percentile["99"]),
        max_ms=_ms(latency_max[1]) if latency_max else 0.0,
        errors=errors,
    )
