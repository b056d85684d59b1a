"""`/how-it-works`: the game explained for a household, with the player's own numbers.

Every rule number on the page is read from the module of `game/` whose rules use it, when the
page is drawn (never retyped here), so the page cannot drift from what the engine does.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from fastapi import APIRouter, Request
from fastapi.responses import Response

from lifeworld.clock import clock
from lifeworld.db.session import ScopeDep
from lifeworld.game import activities, capacity, milestones, ranks, rollover, seasons, sleep
from lifeworld.game import balance as balance_rules
from lifeworld.game import loadouts as loadout_rules
from lifeworld.game.state import CATEGORIES, Clouds, Season
from lifeworld.players import service as players
from lifeworld.web.deps import PageViewer
from lifeworld.web.templating import render

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class CapRow:
    capacity: str  # "below 30", "80 or more", "in burnout"
    cap: int


@dataclass(frozen=True)
class ActivityRow:
    kind: str
    energy: int
    xp: int
    recovery: bool


def energy_caps() -> list[CapRow]:
    """The energy cap for each range of capacity (§2), from the table the rules use."""
    rows, low = [], 0
    for below, cap in capacity.ENERGY_CAPS:
        rows.append(CapRow(f"{low}–{below - 1}", cap))
        low = below
    rows.append(CapRow(f"{low}–100", capacity.TOP_ENERGY_CAP))
    return rows


def activity_rows() -> list[ActivityRow]:
    """Base energy cost and XP of each activity (§3), custom last."""
    return [
        ActivityRow(
            kind.value, spec.energy_cost, spec.xp.overall, kind in activities.RECOVERY_ACTIONS
        )
        for kind, spec in activities.ACTIVITIES.items()
    ]


def rule_numbers() -> dict[str, object]:
    """The rule book's numbers the page shows, read from the rules' own modules."""
    return {
        "daily_energy": rollover.DAILY_ENERGY,
        "caps": energy_caps(),
        "burnout_cap": capacity.BURNOUT_ENERGY_CAP,
        "activities": activity_rows(),
        "custom_xp_max": activities.CUSTOM_XP_MAX,
        "bands": capacity.BANDS,
        "drain_per_hour": sleep.DRAIN_PER_HOUR,
        "good_sleep_bonus": sleep.GOOD_SLEEP_BONUS,
        "hours_counted": sleep.HOURS_COUNTED,
        "good_sleep_hours": sleep.GOOD_SLEEP_HOURS,
        "good_sleep_quality": sleep.GOOD_SLEEP_QUALITY,
        "cloud_start": Clouds().capacity,
        "season_multipliers": activities.SEASON_MULTIPLIERS,
        "seasons": list(Season),
        "min_season_days": seasons.MIN_SEASON_DAYS,
        "water_winter_only": seasons.WATER_WINTER_ONLY,
        "water_no_summer": seasons.WATER_NO_SUMMER,
        "burnout_entry": rollover.BURNOUT_ENTRY_CAPACITY,
        "burnout_days": rollover.LOW_DAYS_FOR_BURNOUT,
        "burnout_exit": rollover.BURNOUT_EXIT_CAPACITY,
        "burnout_xp_pct": int(activities.BURNOUT_XP_FACTOR * 100),
        "neglect_floor": rollover.NEGLECT_FLOOR,
        "week": rollover.WEEK,
        "six_months": milestones.SIX_MONTHS,
        "one_year": milestones.ONE_YEAR,
        "fragility_engines": milestones.ENGINES_FOR_REDUCED_FRAGILITY,
        "milestone_keys": {m.value: k for m, k in milestones.MILESTONE_KEYS.items()},
        "slots": list(loadout_rules.Slot),
        "presets": [p.name for p in loadout_rules.PRESETS],
        "rank_thresholds": list(ranks.RANK_THRESHOLDS.items()),
        "overall_xp_per_level": ranks.OVERALL_XP_PER_LEVEL,
        "category_xp_per_level": ranks.CATEGORY_XP_PER_LEVEL,
        "balance_gap": balance_rules.BALANCE_GAP,
        "categories": [c.value for c in CATEGORIES],
    }


def pct(value: Decimal) -> str:
    """A multiplier as a change in percent: 1.2 → +20%, 0.6 → −40%, 1 → ±0%."""
    change = (value - 1) * 100
    sign = "+" if change > 0 else "\u2212" if change < 0 else "±"
    return f"{sign}{abs(change).normalize():f}%"


@router.get("/how-it-works")
async def how_it_works(request: Request, viewer: PageViewer, scope: ScopeDep) -> Response:
    state = await players.get_state(scope, user=viewer.user, now=clock.now())
    return render(
        request,
        "guide/how_it_works.html",
        viewer=viewer,
        s=state,
        rules=rule_numbers(),
        pct=pct,
    )
