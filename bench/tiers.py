"""One cached place read through each cache tier alone, in this process (no HTTP, no app).

What the tiers cost by themselves, next to the seed's expectations of a PostgreSQL cache
(10–50 ms, ~100 queries/s) and Redis (1–5 ms, ~10,000 queries/s). Run after the servers have
stopped: a listening cache here would otherwise take part in their invalidations.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from bench.results import Row
from lifeworld.cache.factory import build_cache
from lifeworld.settings import Settings

VALUE = b'{"id":"local:1","name":"Cafe Moka","city":"Lyon","rating":4.5}' * 8
TASKS = 16


async def _reader(ns: Any, deadline: float, latencies: list[float]) -> None:
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        await ns.get("bench")
        latencies.append((time.perf_counter() - started) * 1000)


async def _tier(settings: Settings, database_url: str, seconds: float) -> tuple[float, list[float]]:
    cache = build_cache(settings, database_url)
    await cache.start()
    try:
        ns = cache.namespace("place", ttl=3600)
        await ns.set("bench", VALUE)
        latencies: list[float] = []
        begun = time.perf_counter()
        await asyncio.gather(*(_reader(ns, begun + seconds, latencies) for _ in range(TASKS)))
        took = time.perf_counter() - begun
        await cache.clear()
    finally:
        await cache.close()
    return len(latencies) / took, sorted(latencies)


def tier_rows(database_url: str, redis_url: str | None, seconds: float) -> list[Row]:
    """Reads per second and latency of each tier: memory, postgres, redis (when there is one)."""
    modes: list[tuple[str, str, bool]] = [
        ("memory", "postgres", True),
        ("postgres", "postgres", False),
    ]
    if redis_url:
        modes.append(("redis", "hybrid", False))
    rows = []
    for tier, mode, memory in modes:
        settings = Settings(
            _env_file=None, env="test", cache=mode, redis_url=redis_url,
            cache_memory_enabled=memory, cache_redis_prefix="lwbench:",
        )  # fmt: skip
        rps, lat = asyncio.run(_tier(settings, database_url, seconds))
        rows.append(
            Row(
                key=f"in-process/tier_{tier}",
                label=f"cache read, {tier} tier alone",
                server="in-process",
                connections=TASKS,
                rps=rps,
                p50_ms=lat[len(lat) // 2],
                p99_ms=lat[int(len(lat) * 0.99)],
                requests=len(lat),
                note=f"{TASKS} tasks, no HTTP",
                metric="rps",
            )
        )
    return rows


def _factor(measured: float, expected: float, better: str, worse: str) -> str:
    if measured >= expected:
        return f"{measured / expected:,.1f}× {better}"
    return f"{expected / measured:,.1f}× {worse}"


def expectations(rows: list[Row]) -> list[str]:
    """The seed's expectations (PostgreSQL cache 10–50 ms, ~100 queries/s; Redis 1–5 ms,
    ~10,000 queries/s) next to what was measured, as factors."""
    seed = {"postgres": (10.0, 50.0, 100.0), "redis": (1.0, 5.0, 10_000.0)}
    lines = []
    for row in rows:
        for tier, (fast, slow, rate) in seed.items():
            http = row.key.endswith(f"place_{tier}/c16")
            if not (http or row.key.endswith(f"tier_{tier}")) or not (row.rps and row.p50_ms):
                continue
            # Over HTTP at 16 connections the p50 includes queueing: the server's time per
            # request (1 / throughput) is what compares with the seed's per-query figure.
            ms = 1000 / row.rps if http else row.p50_ms
            what = "server time per request" if http else "p50 with 16 readers"
            lines.append(
                f"{row.label} ({row.server}): {row.rps:,.0f}/s is "
                f"{_factor(row.rps, rate, 'the seed', 'below the seed')}'s ~{rate:,.0f} "
                f"queries/s; {what} {ms:.2f} ms is {_factor(fast, ms, 'under', 'over')} the seed's "
                f"best case ({fast:g}–{slow:g} ms)"
            )
    return lines
