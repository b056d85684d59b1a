"""Converting between the `players` row and the rules' `PlayerState`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lifeworld.game.state import XP, CategoryXP, Clouds, PlayerState, Resources, Season

PLAIN_FIELDS = (  # stored and held under the same name
    "energy",
    "season_started_on",
    "created_day",
    "last_rolled_day",
    "last_weekly_eval_day",
    "burnout_active",
    "burnout_since",
    "consecutive_high_effort_days",
    "consecutive_low_capacity_days",
    "recovery_actions_since_burnout",
    "last_effort_activity_day",
    "last_activity_day",
    "energy_spent_today",
    "energy_restored_at",
    "questionnaire_done",
)


def to_state(row: Mapping[str, Any]) -> PlayerState:
    """The rules' view of a stored player (its column values, as `row_values` gives them)."""
    return PlayerState(
        clouds=Clouds(
            capacity=row["capacity"],
            engines=row["engines"],
            oxygen=row["oxygen"],
            meaning=row["meaning"],
            optionality=row["optionality"],
        ),
        resources=Resources(
            oxygen=row["res_oxygen"],
            water=row["water"],
            gold=row["gold"],
            armor=row["armor"],
            keys=row["keys"],
        ),
        season=Season(row["season"]),
        xp=XP(
            overall=row["xp_overall"],
            categories=CategoryXP(
                capacity=row["xp_capacity"],
                engines=row["xp_engines"],
                oxygen=row["xp_oxygen"],
                meaning=row["xp_meaning"],
                optionality=row["xp_optionality"],
            ),
        ),
        **{name: row[name] for name in PLAIN_FIELDS},
    )


def row_values(state: PlayerState) -> dict[str, object]:
    """The column values that store `state`."""
    c, r, x = state.clouds, state.resources, state.xp.categories
    return {
        "capacity": c.capacity,
        "engines": c.engines,
        "oxygen": c.oxygen,
        "meaning": c.meaning,
        "optionality": c.optionality,
        "res_oxygen": r.oxygen,
        "water": r.water,
        "gold": r.gold,
        "armor": r.armor,
        "keys": r.keys,
        "season": state.season.value,
        "xp_overall": state.xp.overall,
        "xp_capacity": x.capacity,
        "xp_engines": x.engines,
        "xp_oxygen": x.oxygen,
        "xp_meaning": x.meaning,
        "xp_optionality": x.optionality,
        **{name: getattr(state, name) for name in PLAIN_FIELDS},
    }
