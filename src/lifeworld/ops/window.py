"""What one instance counts during one minute: mergeable latency histograms and plain counters.

Pure data, no I/O. The recorder fills a `MinuteWindow` on the request path (each observation is a
`bisect` and three additions) and stores it as one row per (minute, instance); the figures merge
rows of several minutes and instances by adding their bucket counts.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

# Upper bounds in milliseconds; the last bucket is everything above 5 s. The trigger thresholds
# (1 ms, 5 ms, 1000 ms) are bounds, so "more than X" is decided by whole buckets.
BOUNDS_MS: tuple[float, ...] = (
    0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000,
)  # fmt: skip
_BOUNDS_S = tuple(b / 1000 for b in BOUNDS_MS)
BUCKETS = len(BOUNDS_MS) + 1


@dataclass(slots=True)
class Latency:
    """A histogram of durations: count, sum, max and counts per bucket of `BOUNDS_MS`."""

    count: int = 0
    seconds: float = 0.0
    max_seconds: float = 0.0
    buckets: list[int] = field(default_factory=lambda: [0] * BUCKETS)

    def observe(self, seconds: float) -> None:
        self.count += 1
        self.seconds += seconds
        if seconds > self.max_seconds:
            self.max_seconds = seconds
        self.buckets[bisect_left(_BOUNDS_S, seconds)] += 1

    def add(self, other: Latency) -> None:
        """Merge `other` into this one."""
        self.count += other.count
        self.seconds += other.seconds
        self.max_seconds = max(self.max_seconds, other.max_seconds)
        for index, value in enumerate(other.buckets):
            self.buckets[index] += value

    @classmethod
    def merged(cls, parts: Iterable[Latency]) -> Latency:
        total = cls()
        for part in parts:
            total.add(part)
        return total

    @classmethod
    def restore(
        cls, count: int, seconds: float, max_seconds: float, buckets: Sequence[int] | None
    ) -> Latency:
        """From a stored row; a bucket list of another length (older layout) is padded."""
        counts = [*(buckets or ()), *[0] * BUCKETS][:BUCKETS]
        return cls(count, seconds, max_seconds, counts)

    @property
    def mean_ms(self) -> float | None:
        return self.seconds / self.count * 1000 if self.count else None

    def quantile_ms(self, q: float) -> float | None:
        """The q-quantile, interpolated inside its bucket (above 5 s: the largest seen)."""
        if not self.count:
            return None
        rank = q * self.count
        seen = 0
        for index, in_bucket in enumerate(self.buckets):
            if in_bucket and seen + in_bucket >= rank:
                if index == len(BOUNDS_MS):
                    return max(BOUNDS_MS[-1], self.max_seconds * 1000)
                lower = BOUNDS_MS[index - 1] if index else 0.0
                upper = BOUNDS_MS[index]
                return lower + (upper - lower) * max(rank - seen, 0) / in_bucket
            seen += in_bucket
        return self.max_seconds * 1000  # pragma: no cover - the loop always returns


@dataclass(slots=True)
class MinuteWindow:
    """Everything one instance observed during `minute` (UTC, seconds zeroed)."""

    minute: datetime
    requests: int = 0
    server_errors: int = 0
    db: Latency = field(default_factory=Latency)  # statements through SQLAlchemy
    cache: Latency = field(default_factory=Latency)  # calls to the shared tiers (reads, writes)
    cache_reads: Latency = field(default_factory=Latency)  # reads of the shared tiers
    pool: Latency = field(default_factory=Latency)  # time to check a connection out
    cache_postgres_seconds: float = 0.0  # cache calls served by PostgreSQL
    lookups: int = 0  # cached queries (namespaces other than the per-process ones)
    hits: int = 0  # of them answered without computing
    place_lookups: int = 0  # of them place lookups
    credentials: set[bytes] = field(default_factory=set)  # cookie / bearer headers not yet read
    credentials_overflow: bool = False
    user_ids: set[int] = field(default_factory=set)  # players behind those headers
