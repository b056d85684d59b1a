"""The seed's five figures, computed from stored minute rows (pure: no I/O).

Each instance stores one row per minute (`MinuteRow`); rows of the same minute from several
instances are added up (latency buckets, counts, lookups), except the database CPU, which every
instance measures on the same server (the largest reading counts), and the players, whose ids
are united. Then, minute by minute:

- query latency: mean and p95 of the app's database statements and shared-cache calls;
- cache hit rate: lookups answered without recomputing, over the last 60 minutes;
- database CPU: the server's share of the machine's CPU that minute (None: unknown);
- concurrent users: distinct players with a signed-in request in the last 5 minutes;
- queries per day: cached lookups (places and other shared-cache queries) in the last 24 hours.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from lifeworld.ops.window import Latency

USERS_WINDOW_MIN = 5
HIT_RATE_WINDOW_MIN = 60
DAY_MIN = 24 * 60
LATENCY_WINDOW_MIN = 15  # the "now" figure of query latency
MIN_LOOKUPS_FOR_HIT_RATE = 50  # fewer lookups in the hour are too few to judge a hit rate
MIN_READS_FOR_P99 = 20  # a minute's p99 needs this many shared-cache reads
MIN_CHECKOUTS_FOR_WAIT = 20  # a minute's mean pool wait needs this many checkouts
ONE_MINUTE = timedelta(minutes=1)


def minute_of(instant: datetime) -> datetime:
    """The minute `instant` falls in (seconds and microseconds zeroed)."""
    return instant.replace(second=0, microsecond=0)


@dataclass(frozen=True, slots=True)
class MinuteRow:
    """One instance's stored minute."""

    minute: datetime
    instance: str
    requests: int = 0
    db: Latency = field(default_factory=Latency)
    cache: Latency = field(default_factory=Latency)
    cache_reads: Latency = field(default_factory=Latency)
    pool: Latency = field(default_factory=Latency)
    cache_postgres_seconds: float = 0.0
    lookups: int = 0
    hits: int = 0
    place_lookups: int = 0
    db_cpu_pct: float | None = None
    db_cpu_source: str = "unknown"
    user_ids: frozenset[int] = frozenset()


@dataclass(slots=True)
class MinuteTotals:
    """All instances' rows of one minute added up."""

    requests: int = 0
    db: Latency = field(default_factory=Latency)
    cache: Latency = field(default_factory=Latency)
    cache_reads: Latency = field(default_factory=Latency)
    pool: Latency = field(default_factory=Latency)
    cache_postgres_seconds: float = 0.0
    lookups: int = 0
    hits: int = 0
    place_lookups: int = 0
    db_cpu_pct: float | None = None
    db_cpu_source: str = "unknown"
    user_ids: set[int] = field(default_factory=set)
    instances: int = 0

    def add(self, row: MinuteRow) -> None:
        self.requests += row.requests
        self.db.add(row.db)
        self.cache.add(row.cache)
        self.cache_reads.add(row.cache_reads)
        self.pool.add(row.pool)
        self.cache_postgres_seconds += row.cache_postgres_seconds
        self.lookups += row.lookups
        self.hits += row.hits
        self.place_lookups += row.place_lookups
        if row.db_cpu_pct is not None:
            if self.db_cpu_pct is None or row.db_cpu_pct > self.db_cpu_pct:
                self.db_cpu_pct, self.db_cpu_source = row.db_cpu_pct, row.db_cpu_source
        elif self.db_cpu_pct is None:
            self.db_cpu_source = row.db_cpu_source  # why it is unknown
        self.user_ids |= row.user_ids
        self.instances += 1


def totals_by_minute(rows: Iterable[MinuteRow]) -> dict[datetime, MinuteTotals]:
    """Rows of every instance added up per minute."""
    merged: dict[datetime, MinuteTotals] = {}
    for row in rows:
        merged.setdefault(minute_of(row.minute), MinuteTotals()).add(row)
    return merged


@dataclass(frozen=True, slots=True)
class MinuteFigures:
    """The figures as they stood at the end of one minute (what the advisor reads)."""

    minute: datetime
    latency_mean_ms: float | None = None
    latency_p95_ms: float | None = None
    cache_read_p99_ms: float | None = None
    db_cpu_pct: float | None = None
    concurrent_users: int = 0
    cache_hit_rate_pct: float | None = None
    queries_per_day: int = 0
    pool_wait_ms: float | None = None
    cache_db_share_pct: float | None = None


def _share(part: float, whole: float) -> float | None:
    return part / whole * 100 if whole > 0 else None


def _minute_figures(
    minute: datetime, t: MinuteTotals, users: int, hour: tuple[int, int], day: int
) -> MinuteFigures:
    calls = Latency.merged((t.db, t.cache))
    lookups, hits = hour
    return MinuteFigures(
        minute=minute,
        latency_mean_ms=calls.mean_ms,
        latency_p95_ms=calls.quantile_ms(0.95),
        cache_read_p99_ms=(
            t.cache_reads.quantile_ms(0.99) if t.cache_reads.count >= MIN_READS_FOR_P99 else None
        ),
        db_cpu_pct=t.db_cpu_pct,
        concurrent_users=users,
        cache_hit_rate_pct=_share(hits, lookups) if lookups >= MIN_LOOKUPS_FOR_HIT_RATE else None,
        queries_per_day=day,
        pool_wait_ms=t.pool.mean_ms if t.pool.count >= MIN_CHECKOUTS_FOR_WAIT else None,
        cache_db_share_pct=_share(
            t.cache_postgres_seconds, t.cache_postgres_seconds + t.db.seconds
        ),
    )


def series(
    totals: dict[datetime, MinuteTotals], *, end: datetime, minutes: int
) -> list[MinuteFigures]:
    """The figures of each of the `minutes` minutes ending with `end`'s minute, oldest first.

    `totals` must reach back a further day before the first minute (for queries per day);
    a minute without rows is a minute without traffic.
    """
    last = minute_of(end)
    first = last - (minutes - 1) * ONE_MINUTE
    empty = MinuteTotals()
    seen: Counter[int] = Counter()
    hour_lookups = hour_hits = day_lookups = 0
    out: list[MinuteFigures] = []
    cursor = first - DAY_MIN * ONE_MINUTE
    while cursor <= last:
        t = totals.get(cursor, empty)
        seen.update(t.user_ids)
        hour_lookups += t.lookups
        hour_hits += t.hits
        day_lookups += t.lookups
        old = totals.get(cursor - USERS_WINDOW_MIN * ONE_MINUTE)
        if old is not None:
            for user_id in old.user_ids:
                seen[user_id] -= 1
                if not seen[user_id]:
                    del seen[user_id]
        old = totals.get(cursor - HIT_RATE_WINDOW_MIN * ONE_MINUTE)
        if old is not None:
            hour_lookups -= old.lookups
            hour_hits -= old.hits
        old = totals.get(cursor - DAY_MIN * ONE_MINUTE)
        if old is not None:
            day_lookups -= old.lookups
        if cursor >= first:
            hour = (hour_lookups, hour_hits)
            out.append(_minute_figures(cursor, t, len(seen), hour, day_lookups))
        cursor += ONE_MINUTE
    return out


@dataclass(frozen=True, slots=True)
class Figures:
    """The five figures as they stand now, with what each was computed from."""

    as_of: datetime
    latency_mean_ms: float | None
    latency_p95_ms: float | None
    latency_calls: int
    cache_hit_rate_pct: float | None
    cache_lookups_hour: int
    db_cpu_pct: float | None
    db_cpu_source: str
    concurrent_users: int
    queries_per_day: int
    place_lookups_per_day: int
    instances: int


def current(totals: dict[datetime, MinuteTotals], *, end: datetime) -> Figures:
    """The five figures at `end` (`totals` covering at least the last day)."""
    last = minute_of(end)

    def window(minutes: int) -> list[MinuteTotals]:
        return [t for i in range(minutes) if (t := totals.get(last - i * ONE_MINUTE)) is not None]

    recent = window(LATENCY_WINDOW_MIN)
    calls = Latency.merged([*(t.db for t in recent), *(t.cache for t in recent)])
    hour, day = window(HIT_RATE_WINDOW_MIN), window(DAY_MIN)
    lookups = sum(t.lookups for t in hour)
    users: set[int] = set()
    for t in window(USERS_WINDOW_MIN):
        users |= t.user_ids
    cpu = next((t for t in window(USERS_WINDOW_MIN) if t.db_cpu_pct is not None), None)
    return Figures(
        as_of=last,
        latency_mean_ms=calls.mean_ms,
        latency_p95_ms=calls.quantile_ms(0.95),
        latency_calls=calls.count,
        cache_hit_rate_pct=_share(sum(t.hits for t in hour), lookups),
        cache_lookups_hour=lookups,
        db_cpu_pct=cpu.db_cpu_pct if cpu else None,
        db_cpu_source=cpu.db_cpu_source if cpu else _last_source(window(USERS_WINDOW_MIN)),
        concurrent_users=len(users),
        queries_per_day=sum(t.lookups for t in day),
        place_lookups_per_day=sum(t.place_lookups for t in day),
        instances=max((t.instances for t in window(USERS_WINDOW_MIN)), default=0),
    )


def _last_source(recent: Sequence[MinuteTotals]) -> str:
    return recent[0].db_cpu_source if recent else NOT_RECORDED


NOT_RECORDED = "unknown: nothing recorded in the last 5 minutes (the app writes every 15 s)"


@dataclass(frozen=True, slots=True)
class ChartPoint:
    """One step of a chart: the figures over `minutes` minutes starting at `start`."""

    start: datetime
    latency_mean_ms: float | None
    cache_hit_rate_pct: float | None
    db_cpu_pct: float | None
    concurrent_users: int
    queries_per_day: int


def chart_points(
    totals: dict[datetime, MinuteTotals], *, end: datetime, minutes: int, step: int
) -> list[ChartPoint]:
    """`minutes` ending at `end` in steps of `step` minutes (`totals` reaching a day further)."""
    per_minute = series(totals, end=end, minutes=minutes)
    points: list[ChartPoint] = []
    for offset in range(0, len(per_minute), step):
        chunk = per_minute[offset : offset + step]
        parts = [t for m in chunk if (t := totals.get(m.minute)) is not None]
        calls = Latency.merged([*(t.db for t in parts), *(t.cache for t in parts)])
        cpus = [m.db_cpu_pct for m in chunk if m.db_cpu_pct is not None]
        points.append(
            ChartPoint(
                start=chunk[0].minute,
                latency_mean_ms=calls.mean_ms,
                cache_hit_rate_pct=_share(
                    sum(t.hits for t in parts), sum(t.lookups for t in parts)
                ),
                db_cpu_pct=sum(cpus) / len(cpus) if cpus else None,
                concurrent_users=max(m.concurrent_users for m in chunk),
                queries_per_day=chunk[-1].queries_per_day,
            )
        )
    return points
