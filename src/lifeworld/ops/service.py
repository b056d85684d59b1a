"""Storing minutes, sweeping old ones, and reading the figures and the advice back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import delete, func, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from lifeworld.accounts.models import Session, User
from lifeworld.ops import advisor, figures, simulate
from lifeworld.ops.figures import DAY_MIN, MinuteRow, MinuteTotals, minute_of
from lifeworld.ops.models import OpsMinute
from lifeworld.ops.window import Latency, MinuteWindow

Db = AsyncSession | AsyncConnection
SWEEP_BATCH = 1000
ADVICE_MINUTES = DAY_MIN  # the hysteresis runs over the last day, minute by minute
HISTOGRAMS = ("db", "cache", "read", "pool")
Span = Literal["24h", "7d"]
SPANS: dict[str, tuple[int, int]] = {"24h": (DAY_MIN, 15), "7d": (7 * DAY_MIN, 60)}


def _histogram(name: str, latency: Latency) -> dict[str, Any]:
    return {
        f"{name}_count": latency.count,
        f"{name}_seconds": latency.seconds,
        f"{name}_max_seconds": latency.max_seconds,
        f"{name}_buckets": list(latency.buckets),
    }


async def write_minute(
    engine: AsyncEngine,
    *,
    instance: str,
    window: MinuteWindow,
    cpu_pct: float | None,
    cpu_source: str,
    now: datetime,
) -> None:
    """Insert or rewrite this instance's row of the window's minute (values only grow)."""
    values: dict[str, Any] = {
        "minute": window.minute,
        "instance": instance,
        "written_at": now,
        "requests": window.requests,
        "server_errors": window.server_errors,
        **_histogram("db", window.db),
        **_histogram("cache", window.cache),
        **_histogram("read", window.cache_reads),
        **_histogram("pool", window.pool),
        "cache_postgres_seconds": window.cache_postgres_seconds,
        "lookups": window.lookups,
        "hits": window.hits,
        "place_lookups": window.place_lookups,
        "db_cpu_source": cpu_source[:80],
        "user_ids": sorted(window.user_ids),
    }
    if cpu_pct is not None:
        values["db_cpu_pct"] = cpu_pct
    statement = insert(OpsMinute).values(**values)
    kept = {"minute", "instance"} | ({"db_cpu_source"} if cpu_pct is None else set())
    # an unknown reading never erases a known one (nor the source it came from)
    updates = {k: statement.excluded[k] for k in values if k not in kept}
    async with engine.begin() as conn:
        await conn.execute(
            statement.on_conflict_do_update(index_elements=["minute", "instance"], set_=updates)
        )


async def sweep(engine: AsyncEngine, *, now: datetime, days: int) -> int:
    """Delete minutes older than `days`, in batches (several instances may sweep at once)."""
    cutoff = now - timedelta(days=days)
    removed = 0
    while True:
        batch = (
            select(OpsMinute.minute, OpsMinute.instance)
            .where(OpsMinute.minute < cutoff)
            .limit(SWEEP_BATCH)
            .with_for_update(skip_locked=True)
        )
        async with engine.begin() as conn:
            result = await conn.execute(
                delete(OpsMinute).where(tuple_(OpsMinute.minute, OpsMinute.instance).in_(batch))
            )
        count = int(result.rowcount or 0)
        removed += count
        if count < SWEEP_BATCH:
            return removed


def _row(r: OpsMinute | Any) -> MinuteRow:
    def latency(name: str) -> Latency:
        return Latency.restore(
            getattr(r, f"{name}_count"),
            getattr(r, f"{name}_seconds"),
            getattr(r, f"{name}_max_seconds"),
            getattr(r, f"{name}_buckets"),
        )

    return MinuteRow(
        minute=r.minute,
        instance=r.instance,
        requests=r.requests,
        db=latency("db"),
        cache=latency("cache"),
        cache_reads=latency("read"),
        pool=latency("pool"),
        cache_postgres_seconds=r.cache_postgres_seconds,
        lookups=r.lookups,
        hits=r.hits,
        place_lookups=r.place_lookups,
        db_cpu_pct=r.db_cpu_pct,
        db_cpu_source=r.db_cpu_source,
        user_ids=frozenset(r.user_ids or ()),
    )


async def load_totals(db: Db, *, since: datetime, until: datetime) -> dict[datetime, MinuteTotals]:
    """Every instance's rows with since < minute <= until, added up per minute."""
    query = select(OpsMinute.__table__).where(OpsMinute.minute > since, OpsMinute.minute <= until)
    rows = (await db.execute(query)).all()
    return figures.totals_by_minute(_row(r) for r in rows)


async def account_count(db: Db) -> int:
    return int(await db.scalar(select(func.count()).select_from(User)) or 0)


@dataclass(frozen=True, slots=True)
class Overview:
    current: figures.Figures
    advice: advisor.Advice
    points: Sequence[figures.ChartPoint] = ()


async def overview(
    db: Db,
    *,
    now: datetime,
    redis_in_use: bool,
    span: Span | None = None,
    simulation: simulate.Simulation | None = None,
) -> Overview:
    """The five figures now, the advice over the last day (with pretended figures when
    simulating), and chart points over `span` (24 h in 15-minute steps, 7 days hourly)."""
    end = minute_of(now)
    chart_minutes, step = SPANS[span] if span else (0, 1)
    reach = max(ADVICE_MINUTES, chart_minutes) + DAY_MIN
    totals = await load_totals(db, since=end - timedelta(minutes=reach), until=end)
    minutes = figures.series(totals, end=end, minutes=ADVICE_MINUTES)
    accounts = await account_count(db)
    if simulation is not None:
        minutes = simulate.apply(minutes, simulation)
        accounts = simulation.accounts if simulation.accounts is not None else accounts
    return Overview(
        current=figures.current(totals, end=end),
        advice=advisor.advise(minutes, accounts=accounts, redis_in_use=redis_in_use),
        points=(
            figures.chart_points(totals, end=end, minutes=chart_minutes, step=step) if span else ()
        ),
    )


async def active_sessions(db: Db, *, now: datetime, idle_days: int) -> int:
    """Sessions neither expired nor idle past the limit."""
    query = select(func.count()).where(
        Session.expires_at > now, Session.last_seen_at > now - timedelta(days=idle_days)
    )
    return int(await db.scalar(query.select_from(Session)) or 0)
