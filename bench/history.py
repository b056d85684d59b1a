"""Histories played through the game's own rules: the activity rows and the state they lead to.

Each simulated day rolls over with `roll_over` (fed the same 8-day window the app reads) and
logs 0–5 activities with `perform_activity` while energy lasts, so every row holds what the
app would have recorded (XP, multipliers, season, resource changes) and the final state is the
one those days lead to. Longer histories repeat a played stretch further back in time.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from psycopg.types.json import Jsonb

from lifeworld.activities.service import changes_json
from lifeworld.game.activities import perform_activity
from lifeworld.game.days import day_start
from lifeworld.game.errors import GameRuleError
from lifeworld.game.loadouts import FIRST_PRESET, preset_items, summed_benefits
from lifeworld.game.milestones import award_milestones
from lifeworld.game.questionnaire import (
    Answers,
    Experience,
    Strength,
    StressManagement,
    apply_questionnaire,
)
from lifeworld.game.resources import NO_CHANGES, ResourceChanges
from lifeworld.game.rollover import DayActivity, roll_over
from lifeworld.game.state import ActivityType, PlayerState, Season

# The columns of `activities` the rows fill, in order (`user_id` first, added per player).
ACTIVITY_COLUMNS = (
    "user_id", "type", "description", "occurred_at", "day", "energy_used", "xp_overall",
    "xp_capacity", "xp_engines", "xp_oxygen", "xp_meaning", "xp_optionality", "season",
    "mult_season", "mult_capacity", "mult_loadout", "mult_burnout", "resource_changes",
    "is_recovery", "source",
)  # fmt: skip
Row = tuple[Any, ...]  # an activity row without its user_id

MIX = {
    ActivityType.WORK_PROJECT: 30,
    ActivityType.EXERCISE: 20,
    ActivityType.LEARNING: 20,
    ActivityType.SAVE_EXPENSES: 10,
    ActivityType.REST: 20,
}
NOTES = (None, None, None, "morning run", "client project", "read two chapters", "nap", "budget")
SAVING = ResourceChanges(oxygen=Decimal("0.05"), gold=Decimal("100"))

# A healthy, experienced player: capacity 90, so the energy cap (110) never hides stored energy.
ANSWERS = Answers(
    life_phase=Season.SUMMER,
    months_saved=Decimal(4),
    health=Strength.VERY_STRONG,
    income_sources=2,
    purpose=Strength.STRONG,
    options=4,
    stress=StressManagement.HIGH,
    experience=Experience.SOME,
)


@dataclass
class Played:
    state: PlayerState
    rows: list[Row]
    milestones: list[tuple[str, int, datetime]]


def new_player(today: date, tz: str) -> PlayerState:
    """A player who answered the questionnaire today."""
    fresh = PlayerState.new(today, day_start(today, tz, 0))
    return apply_questionnaire(fresh, ANSWERS, today=today)


def settled(today: date, tz: str) -> Played:
    """A player who answered the questionnaire today and has been given the milestones its
    answers reach (as their first activity would), so every later log is an ordinary one."""
    state, awards = award_milestones(new_player(today, tz), 0, frozenset())
    at = day_start(today, tz, 0)
    return Played(state, [], [(a.milestone.value, a.keys, at) for a in awards])


# The crowd's players have the five presets, The Balanced active (seed.crowd), as the app's do.
BORN_WITH = summed_benefits(preset_items(FIRST_PRESET).values()).bonuses()


def play(*, start: date, end: date, tz: str, seed: int) -> Played:
    """Play every day from `start` to the day before `end`, then roll over to `end`."""
    rng = random.Random(seed)
    state = new_player(start, tz)
    rows: list[Row] = []
    achieved: set[Any] = set()
    milestones: list[tuple[str, int, datetime]] = []
    day = start
    while day < end:
        opened = day_start(day, tz, 0)
        for i in range(rng.choice((0, 1, 2, 2, 3, 3, 3, 4, 4, 5))):
            kind = rng.choices(list(MIX), weights=list(MIX.values()))[0]
            changes = SAVING if kind is ActivityType.SAVE_EXPENSES else NO_CHANGES
            try:
                result = perform_activity(
                    state,
                    kind,
                    today=day,
                    resource_changes=changes,
                    bonuses=BORN_WITH,
                    achieved=frozenset(achieved),
                )
            except GameRuleError:
                continue  # out of energy, or work refused in burnout: the player does no more
            state = result.state
            at = opened + timedelta(hours=7 + 2 * i, minutes=rng.randrange(60))
            for award in result.milestones:
                achieved.add(award.milestone)
                milestones.append((award.milestone.value, award.keys, at))
            rows.append(_row(result, at, rng.choice(NOTES)))
        day += timedelta(days=1)
        since = state.last_rolled_day - timedelta(days=7)
        recent = [DayActivity(r[3], ActivityType(r[0]), r[4]) for r in _tail(rows, since)]
        state = roll_over(
            state,
            today=day,
            recent_activities=recent,
            active_engines=0,
            day_started_at=day_start(day, tz, 0),
        ).state
    return Played(state, rows, milestones)


def _tail(rows: list[Row], since: date) -> list[Row]:
    out: list[Row] = []
    for row in reversed(rows):
        if row[3] < since:
            break
        out.append(row)
    return out


def _row(result: Any, at: datetime, note: str | None) -> Row:
    xp, m = result.xp_gained, result.multipliers
    c = xp.categories
    return (
        result.activity.value, note, at, result.day, result.energy_cost, xp.overall,
        c.capacity, c.engines, c.oxygen, c.meaning, c.optionality, result.season.value,
        m.season, m.capacity, m.loadout, m.burnout, Jsonb(changes_json(result.resource_changes)),
        result.is_recovery, "activity",
    )  # fmt: skip


def stretch(rows: list[Row], count: int, period_days: int) -> list[Row]:
    """`count` rows: the newest of `rows`, then copies of them `period_days` earlier, and so on."""
    if not rows:
        return []
    out: list[Row] = []
    back = 0
    while len(out) < count:
        shift = timedelta(days=back)
        for row in reversed(rows):
            out.append((*row[:2], row[2] - shift, row[3] - shift, *row[4:]))
            if len(out) == count:
                break
        back += period_days
    out.reverse()
    return out
