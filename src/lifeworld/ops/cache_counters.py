"""The cache's counters as metrics and figures.

Each call to a shared tier (PostgreSQL, Redis) is observed as it happens (a latency histogram
per namespace and tier, and the minute's latency figures); memory-tier calls, a microsecond each
and on every request, are not observed one by one. Counts (hits, misses, writes, errors, time,
computes) are read from `cache.stats_store` on the recorder's tick and added as differences.

A lookup of a cached query is answered by some tier (a hit), by waiting for another caller's
computation (counted as a hit: no second query ran), or by computing the value (a miss). The
sign-in and dashboard-state namespaces are per-process memos of the app's own reads, not the
queries the seed counts, so they are left out of lookups and the hit rate (their counters are
still exported).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lifeworld.cache import Cache
from lifeworld.ops import metrics
from lifeworld.ops.window import MinuteWindow

PER_PROCESS_NAMESPACES = frozenset({"auth", "state"})
PLACE_NAMESPACES = frozenset({"place", "place_search"})


class CacheCounters:
    """Follows one Cache's counters for one recorder."""

    def __init__(self, cache: Cache, window: Callable[[], MinuteWindow]) -> None:
        self.stats = cache.stats_store
        self.window = window  # the recorder's current minute
        self._tiers: dict[tuple[str, str], tuple[int, int, int, int, float]] = {}
        self._namespaces: dict[str, tuple[int, int]] = {}
        self._histograms: dict[tuple[str, str], Any] = {}

    def observe(self, namespace: str, tier: str, hit: bool | None, seconds: float) -> None:
        """One cache call (the cache's observer hook)."""
        if tier == "memory":
            return
        key = (namespace, tier)
        child = self._histograms.get(key)
        if child is None:
            child = self._histograms[key] = metrics.CACHE_DURATION.labels(namespace, tier)
        child.observe(seconds)
        if namespace in PER_PROCESS_NAMESPACES:
            return
        window = self.window()
        window.cache.observe(seconds)
        if hit is not None:
            window.cache_reads.observe(seconds)
        if tier == "postgres":
            window.cache_postgres_seconds += seconds

    def sync(self, window: MinuteWindow) -> None:
        """Add what the counters gained since the last call to Prometheus and the window."""
        for name, ns in list(self.stats.namespaces.items()):
            hits = 0
            for tier, c in list(ns.tiers.items()):
                was = self._tiers.get((name, tier), (0, 0, 0, 0, 0.0))
                d_hits, d_misses, d_errors = c.hits - was[0], c.misses - was[1], c.errors - was[2]
                d_calls, d_seconds = c.calls - was[3], c.seconds - was[4]
                self._tiers[(name, tier)] = (c.hits, c.misses, c.errors, c.calls, c.seconds)
                for result, count in (
                    ("hit", d_hits),
                    ("miss", d_misses),
                    ("write", d_calls - d_hits - d_misses),
                ):
                    if count > 0:
                        metrics.CACHE_OPERATIONS.labels(name, tier, result).inc(count)
                if d_errors > 0:
                    metrics.CACHE_ERRORS.labels(name, tier).inc(d_errors)
                if d_seconds > 0:
                    metrics.CACHE_SECONDS.labels(name, tier).inc(d_seconds)
                hits += d_hits
            computes, waits = self._namespaces.get(name, (0, 0))
            d_computes, d_waits = ns.computes - computes, ns.shared_waits - waits
            self._namespaces[name] = (ns.computes, ns.shared_waits)
            if d_computes > 0:
                metrics.CACHE_COMPUTES.labels(name).inc(d_computes)
            if name in PER_PROCESS_NAMESPACES:
                continue
            answered = hits + d_waits
            window.lookups += answered + d_computes
            window.hits += answered
            if name in PLACE_NAMESPACES:
                window.place_lookups += answered + d_computes
