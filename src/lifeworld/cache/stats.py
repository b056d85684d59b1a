"""Counters per namespace and tier (hits, misses, errors, latency) for monitoring to export."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# (namespace, tier, hit: True/False for reads and None for writes, seconds)
Observer = Callable[[str, str, bool | None, float], None]


@dataclass(slots=True)
class TierCounters:
    hits: int = 0
    misses: int = 0
    errors: int = 0
    calls: int = 0
    seconds: float = 0.0
    max_seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "hits": self.hits,
            "misses": self.misses,
            "errors": self.errors,
            "calls": self.calls,
            "latency_ms_total": round(self.seconds * 1000, 3),
            "latency_ms_max": round(self.max_seconds * 1000, 3),
        }


@dataclass(slots=True)
class NamespaceCounters:
    tiers: dict[str, TierCounters] = field(default_factory=dict)
    computes: int = 0  # values produced by a compute function
    shared_waits: int = 0  # callers that waited for another caller's compute

    def tier(self, name: str) -> TierCounters:
        counters = self.tiers.get(name)
        if counters is None:
            counters = self.tiers[name] = TierCounters()
        return counters


class CacheStats:
    """All counters of one Cache; `as_dict()` is what `cache.stats()` returns."""

    def __init__(self) -> None:
        self.namespaces: dict[str, NamespaceCounters] = {}
        self.observer: Observer | None = None  # monitoring sees each call (ops/recorder.py)

    def namespace(self, name: str) -> NamespaceCounters:
        counters = self.namespaces.get(name)
        if counters is None:
            counters = self.namespaces[name] = NamespaceCounters()
        return counters

    def record(self, namespace: str, tier: str, *, hit: bool | None, seconds: float) -> None:
        """Count one tier call: hit=True/False for reads, None for writes."""
        counters = self.namespace(namespace).tier(tier)
        counters.calls += 1
        counters.seconds += seconds
        counters.max_seconds = max(counters.max_seconds, seconds)
        if hit is True:
            counters.hits += 1
        elif hit is False:
            counters.misses += 1
        if self.observer is not None:
            self.observer(namespace, tier, hit, seconds)

    def error(self, namespace: str, tier: str) -> None:
        self.namespace(namespace).tier(tier).errors += 1

    def as_dict(self) -> dict[str, Any]:
        return {
            name: {
                "computes": ns.computes,
                "shared_waits": ns.shared_waits,
                "tiers": {tier: c.as_dict() for tier, c in ns.tiers.items()},
            }
            for name, ns in self.namespaces.items()
        }
