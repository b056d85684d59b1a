"""`--simulate users=120,queries_per_day=5000`: figures to pretend, as if held for the whole window.

Parsing is strict (unknown keys, repeated keys and values out of range are errors with a message
for a person); applying replaces those figures in every minute of the real series, so the
hysteresis sees them sustained and the advice shows what they would lead to.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from lifeworld.ops.figures import MinuteFigures


class SimulationError(ValueError):
    """The --simulate text cannot be used; the message says why."""


@dataclass(frozen=True, slots=True)
class Key:
    field: str  # a MinuteFigures field, or "accounts"
    whole: bool  # a whole number
    maximum: float | None
    meaning: str


KEYS: dict[str, Key] = {
    "latency_ms": Key("latency_mean_ms", False, None, "mean query latency in ms"),
    "latency_p95_ms": Key("latency_p95_ms", False, None, "p95 query latency in ms"),
    "hit_rate": Key("cache_hit_rate_pct", False, 100, "cache hit rate in %"),
    "db_cpu": Key("db_cpu_pct", False, 100, "database CPU in %"),
    "users": Key("concurrent_users", True, None, "concurrent users"),
    "queries_per_day": Key("queries_per_day", True, None, "cached queries per day"),
    "cache_read_p99_ms": Key("cache_read_p99_ms", False, None, "cache read p99 in ms"),
    "pool_wait_ms": Key("pool_wait_ms", False, None, "mean database pool wait in ms"),
    "cache_db_share": Key("cache_db_share_pct", False, 100, "cache share of database time in %"),
    "accounts": Key("accounts", True, None, "accounts on this instance"),
}


@dataclass(frozen=True, slots=True)
class Simulation:
    figures: dict[str, float]  # MinuteFigures field -> value
    accounts: int | None = None


def _number(name: str, key: Key, text: str) -> float:
    raw = text.strip().removesuffix("%") if key.maximum == 100 else text.strip()
    kind = "a whole number" if key.whole else "a number"
    limit = f" from 0 to {key.maximum:g}" if key.maximum is not None else " of 0 or more"
    problem = f"{name} must be {kind}{limit} ({key.meaning}), not {text.strip()!r}"
    try:
        value = float(int(raw)) if key.whole else float(raw)
    except ValueError:
        raise SimulationError(problem) from None
    if not math.isfinite(value) or value < 0 or (key.maximum is not None and value > key.maximum):
        raise SimulationError(problem)
    return value


def parse(text: str) -> Simulation:
    """`key=value` pairs separated by commas; SimulationError names the first problem."""
    if not text.strip():
        raise SimulationError("nothing to simulate: give key=value pairs, e.g. users=120")
    figures: dict[str, float] = {}
    accounts: int | None = None
    seen: set[str] = set()
    for part in text.split(","):
        name, equals, value = part.partition("=")
        name = name.strip().lower()
        if not equals or not name:
            raise SimulationError(f"{part.strip()!r} is not key=value (e.g. users=120)")
        key = KEYS.get(name)
        if key is None:
            raise SimulationError(f"unknown figure {name!r}; known: {', '.join(KEYS)}")
        if name in seen:
            raise SimulationError(f"{name} is given twice")
        seen.add(name)
        number = _number(name, key, value)
        if key.field == "accounts":
            accounts = int(number)
        else:
            figures[key.field] = number
    return Simulation(figures=figures, accounts=accounts)


def apply(minutes: Sequence[MinuteFigures], simulation: Simulation) -> list[MinuteFigures]:
    """The series with the simulated figures held in every minute."""
    values = {
        name: int(v) if name in ("concurrent_users", "queries_per_day") else v
        for name, v in simulation.figures.items()
    }
    return [replace(m, **values) for m in minutes]  # type: ignore[arg-type]
