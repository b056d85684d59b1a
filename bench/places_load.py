"""Load generation for bench/places_cache.py: wrk when installed, else async httpx in a process."""

from __future__ import annotations

import asyncio
import multiprocessing
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from typing import Any

import httpx

WRK = shutil.which("wrk")
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


@dataclass
class LoadResult:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    tool: str

    def summary(self) -> str:
        return (
            f"{self.rps:.0f} req/s, p50 {self.p50_ms:.2f} ms, p99 {self.p99_ms:.2f} ms, "
            f"{self.errors} errors"
        )


def run_load(url: str, token: str, *, seconds: float, connections: int) -> LoadResult:
    """Drive GET `url` with `connections` concurrent keep-alive connections for `seconds`."""
    if WRK:
        return _wrk(url, token, seconds, connections)
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        result: LoadResult = pool.apply(_httpx_load, (url, token, seconds, connections))
    return result


def _ms(value: str, unit: str) -> float:
    return float(value) * _UNITS[unit]


def _wrk(url: str, token: str, seconds: float, connections: int) -> LoadResult:
    out = subprocess.run(
        [WRK or "wrk", "-t2", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency",
         "-H", f"Authorization: Bearer {token}", url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = re.search(r"\s50%\s+([\d.]+)(us|ms|s)", out)
    p99 = re.search(r"\s99%\s+([\d.]+)(us|ms|s)", out)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    assert p50 and p99, out
    return LoadResult(
        rps=rps,
        p50_ms=_ms(*p50.groups()),
        p99_ms=_ms(*p99.groups()),
        errors=int(errors.group(1)) if errors else 0,
        tool="wrk",
    )


def _httpx_load(url: str, token: str, seconds: float, connections: int) -> LoadResult:
    return asyncio.run(_drive(url, token, seconds, connections))


async def _drive(url: str, token: str, seconds: float, connections: int) -> LoadResult:
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(limits=limits, headers=headers, timeout=10) as client:
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                response = await client.get(url)
                latencies.append((time.perf_counter() - started) * 1000)
                errors += response.status_code != 200

        begun = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        took = time.perf_counter() - begun
    latencies.sort()
    return LoadResult(
        rps=len(latencies) / took,
        p50_ms=latencies[len(latencies) // 2],
        p99_ms=latencies[int(len(latencies) * 0.99)],
        errors=errors,
        tool="httpx (wrk not installed)",
    )


async def _reader(ns: Any, deadline: float, latencies: list[float]) -> None:
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        await ns.get("bench")
        latencies.append((time.perf_counter() - started) * 1000)


async def tier_reads(
    database_url: str, redis_url: str | None, *, seconds: float, concurrency: int
) -> dict[str, LoadResult]:
    """Reads per second of one cached place through each tier alone, in this process."""
    from lifeworld.cache.factory import build_cache
    from lifeworld.settings import Settings

    results: dict[str, LoadResult] = {}
    modes = [("memory", "postgres", True), ("postgres", "postgres", False)]
    if redis_url:
        modes.append(("hybrid", "hybrid", False))
    for label, mode, memory in modes:
        settings = Settings(  # type: ignore[arg-type]
            env="test", cache=mode, redis_url=redis_url, cache_memory_enabled=memory,
            cache_redis_prefix="lwbench:",
        )  # fmt: skip
        cache = build_cache(settings, database_url)
        await cache.start()
        ns = cache.namespace("place", ttl=3600)
        await ns.set("bench", b'{"id":"local:1","name":"Cafe Moka"}' * 8)
        latencies: list[float] = []
        deadline = time.perf_counter() + seconds
        begun = time.perf_counter()
        await asyncio.gather(*(_reader(ns, deadline, latencies) for _ in range(concurrency)))
        took = time.perf_counter() - begun
        await cache.clear()
        await cache.close()
        latencies.sort()
        results[label] = LoadResult(
            len(latencies) / took,
            latencies[len(latencies) // 2],
            latencies[int(len(latencies) * 0.99)],
            0,
            "in-process",
        )
    return results
