"""The answers of `GET /api/v1/ops/metrics` and `GET /api/v1/ops/advice` (API.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from lifeworld.ops import advisor, figures


class LatencyOut(BaseModel):
    mean_ms: float | None
    p95_ms: float | None
    calls: int
    window_minutes: int


class HitRateOut(BaseModel):
    percent: float | None
    lookups: int
    window_minutes: int


class CpuOut(BaseModel):
    percent: float | None
    status: Literal["measured", "unknown"]
    source: str


class UsersOut(BaseModel):
    count: int
    window_minutes: int


class QueriesOut(BaseModel):
    count: int
    place_lookups: int
    window_hours: int


class FiguresOut(BaseModel):
    """The seed's five figures as they stand now (see ops/README.md for each definition)."""

    as_of: datetime
    query_latency: LatencyOut
    cache_hit_rate: HitRateOut
    database_cpu: CpuOut
    concurrent_users: UsersOut
    queries_per_day: QueriesOut
    instances: int

    @classmethod
    def of(cls, f: figures.Figures) -> FiguresOut:
        return cls(
            as_of=f.as_of,
            query_latency=LatencyOut(
                mean_ms=_round(f.latency_mean_ms),
                p95_ms=_round(f.latency_p95_ms),
                calls=f.latency_calls,
                window_minutes=figures.LATENCY_WINDOW_MIN,
            ),
            cache_hit_rate=HitRateOut(
                percent=_round(f.cache_hit_rate_pct, 1),
                lookups=f.cache_lookups_hour,
                window_minutes=figures.HIT_RATE_WINDOW_MIN,
            ),
            database_cpu=CpuOut(
                percent=f.db_cpu_pct,
                status="unknown" if f.db_cpu_pct is None else "measured",
                source=f.db_cpu_source,
            ),
            concurrent_users=UsersOut(
                count=f.concurrent_users, window_minutes=figures.USERS_WINDOW_MIN
            ),
            queries_per_day=QueriesOut(
                count=f.queries_per_day, place_lookups=f.place_lookups_per_day, window_hours=24
            ),
            instances=f.instances,
        )


def _round(value: float | None, digits: int = 3) -> float | None:
    return round(value, digits) if value is not None else None


class TriggerOut(BaseModel):
    name: str
    label: str
    value: float | None
    threshold: float
    clear_threshold: float
    direction: Literal["above", "below"]
    unit: str
    fired: bool
    from_seed: bool
    minutes_in_a_row: int
    minutes_needed: int


class CostOut(BaseModel):
    min: int
    max: int
    currency: Literal["USD"] = "USD"
    text: str


class PhaseOut(BaseModel):
    phase: advisor.Phase
    label: str
    users: str
    queries_per_day: str
    redis: str
    cost_per_month: CostOut


class AdviceOut(BaseModel):
    phase: advisor.Phase
    phase_label: str
    users: int
    action: advisor.Action
    recommendation: str
    triggers: list[TriggerOut]
    cost_per_month: CostOut
    phases: list[PhaseOut]
    simulated: bool

    @classmethod
    def of(cls, advice: advisor.Advice, *, simulated: bool = False) -> AdviceOut:
        return cls(
            phase=advice.phase.phase,
            phase_label=advice.phase.label,
            users=advice.users,
            action=advice.action,
            recommendation=advice.recommendation,
            triggers=[
                TriggerOut(
                    name=t.name,
                    label=t.label,
                    value=_round(t.value),
                    threshold=t.threshold,
                    clear_threshold=t.clear,
                    direction="above" if t.above else "below",
                    unit=t.unit,
                    fired=t.fired,
                    from_seed=t.seed,
                    minutes_in_a_row=t.streak,
                    minutes_needed=t.needed,
                )
                for t in advice.triggers
            ],
            cost_per_month=_cost(advice.phase),
            phases=[
                PhaseOut(
                    phase=p.phase,
                    label=p.label,
                    users=p.users,
                    queries_per_day=p.queries_per_day,
                    redis=p.redis,
                    cost_per_month=_cost(p),
                )
                for p in advisor.PHASES
            ],
            simulated=simulated,
        )


def _cost(info: advisor.PhaseInfo) -> CostOut:
    return CostOut(min=info.cost_min, max=info.cost_max, text=info.cost_text)
