"""How long and how big each part of a run is: the full run, and `--quick` (under 3 minutes)."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Plan:
    quick: bool
    seconds: int  # each wrk run
    warmup_seconds: int  # a wrk run before each measured one (0: a few checked requests only)
    noop_seconds: int  # a no-op run just before each scenario, its ratio's base (0: the first)
    connections: tuple[int, ...]
    modes: tuple[str, ...]
    household: int  # members, each with `history_days` of play
    history_days: int
    cold_players: int  # read once each per server (state cache miss); split over the runs
    log_players: int  # log five activities each per run (their energy is topped up between)
    rollover_players: int  # per number of days away
    rollover_days: tuple[int, ...]
    growth_sizes: tuple[int, ...]
    growth_players: int  # per size; also the concurrency of the growth runs
    latency_seconds: float  # each growth run
    tier_seconds: float  # each in-process cache tier run
    profile: tuple[str, ...] = ()  # scenarios to record with py-spy
    settings: tuple[tuple[str, str], ...] = ()  # (LIFEWORLD_NAME, value) for every server


def make_plan(*, quick: bool, modes: tuple[str, ...], seconds: int | None = None) -> Plan:
    """The full plan, or the quick smoke plan; `seconds` overrides the wrk run length."""
    full = Plan(
        quick=False,
        seconds=seconds or 10,
        warmup_seconds=2,
        noop_seconds=3,
        connections=(16, 64),
        modes=modes,
        household=5,
        history_days=730,
        cold_players=80_000,  # 40,000 a run: ~3,000/s for 2 + 10 s must not run out
        log_players=4_000,  # 20,000 logs a run: ~1,000/s for 2 + 10 s must not run out
        rollover_players=200,
        rollover_days=(1, 30, 365),
        growth_sizes=(100, 10_000, 100_000),
        growth_players=4,
        latency_seconds=6.0,
        tier_seconds=3.0,
    )
    if not quick:
        return full
    scale = seconds or 1  # longer runs need more fresh players
    return replace(
        full,
        quick=True,
        seconds=seconds or 1,
        warmup_seconds=0,
        noop_seconds=0,
        cold_players=6_000 * scale,
        log_players=600 * scale,
        rollover_players=30,
        growth_players=1,
        latency_seconds=1.0,
        tier_seconds=0.5,
    )
