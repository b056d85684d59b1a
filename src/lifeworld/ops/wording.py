"""The figures and triggers as people read them (the System page and `lifeworld advise`)."""

from __future__ import annotations

from decimal import Decimal

from lifeworld.ops.advisor import Trigger
from lifeworld.ops.figures import Figures
from lifeworld.web import formats


def amount(value: float, unit: str) -> str:
    """1,234 queries/day, 0.42 ms, 87 %: three significant digits below 100."""
    if value >= 100:
        text = formats.number(round(value))
    elif value >= 0.01 or value == 0:
        text = formats.decimal(Decimal(f"{value:.3g}"), 2)
    else:
        text = "< " + formats.decimal(Decimal("0.01"), 2)
    if unit == "%":
        return f"{text}\u202f%"
    if unit == "queries/day":
        noun = formats.plural(round(value), "query", "queries").split(" ", 1)[1]
        return f"{text} {noun}/day"
    return f"{text} {unit}"


def figure_rows(f: Figures) -> list[tuple[str, str, str]]:
    """(figure, value now, what it is based on) for the "Now" table."""
    latency = (
        (
            amount(f.latency_mean_ms, "ms"),
            f"mean of {formats.plural(f.latency_calls, 'call')} in 15 minutes",
        )
        if f.latency_mean_ms is not None
        else ("—", "no database or cache calls in the last 15 minutes")
    )
    if f.latency_p95_ms is not None:
        latency = (latency[0], latency[1] + f"; p95 {amount(f.latency_p95_ms, 'ms')}")
    hit = (
        (
            amount(f.cache_hit_rate_pct, "%"),
            f"of {formats.plural(f.cache_lookups_hour, 'lookup')} in the last hour",
        )
        if f.cache_hit_rate_pct is not None
        else ("—", "no cached lookups in the last hour")
    )
    cpu = (
        (amount(f.db_cpu_pct, "%"), f.db_cpu_source)
        if f.db_cpu_pct is not None
        else ("Unknown", f.db_cpu_source.removeprefix("unknown: "))
    )
    return [
        ("Query latency", *latency),
        ("Cache hit rate", *hit),
        ("Database CPU", *cpu),
        (
            "Concurrent users",
            formats.number(f.concurrent_users),
            "players active in the last 5 minutes",
        ),
        (
            "Queries per day",
            formats.number(f.queries_per_day),
            f"cached lookups in the last 24 hours, {formats.number(f.place_lookups_per_day)} "
            "of them places",
        ),
    ]


def trigger_row(t: Trigger) -> tuple[str, str, str]:
    """(trigger, value now, threshold) as people read them."""
    value = amount(t.value, t.unit) if t.value is not None else "—"
    sign = ">" if t.above else "<"
    return t.label, value, f"{sign} {amount(t.threshold, t.unit)}"
