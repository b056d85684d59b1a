"""Activities and the one pipeline that logs or previews them (GAME_RULES.md §3, §3.1).

`perform_activity` is pure: the preview endpoint calls it and throws the result away, the log
endpoint calls it and stores `result.state` and the activity row, so a preview always equals
what the real call records.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from lifeworld.game.capacity import energy_cap, usable_energy, xp_efficiency
from lifeworld.game.errors import BurnoutBlocksWork, InsufficientEnergy, StateNotRolled
from lifeworld.game.loadouts import NO_BONUSES, LoadoutBonuses
from lifeworld.game.milestones import Milestone, MilestoneAward, award_milestones
from lifeworld.game.resources import NO_CHANGES, ResourceChanges, apply_reward
from lifeworld.game.rounding import ONE, clamp, round_half_away
from lifeworld.game.state import CATEGORIES, XP, ActivityType, CategoryXP, PlayerState, Season

AT = ActivityType


@dataclass(frozen=True, slots=True)
class ActivitySpec:
    energy_cost: int
    xp: XP


def _spec(
    cost: int, overall: int, cap: int, eng: int, oxy: int, mean: int, opt: int
) -> ActivitySpec:
    return ActivitySpec(cost, XP(overall, CategoryXP(cap, eng, oxy, mean, opt)))


ACTIVITIES: dict[ActivityType, ActivitySpec] = {
    AT.WORK_PROJECT: _spec(30, 500, 100, 300, 50, 0, 0),
    AT.EXERCISE: _spec(25, 200, 250, 0, 0, 0, 50),
    AT.SAVE_EXPENSES: _spec(15, 1000, 0, 200, 500, 0, 300),
    AT.LEARNING: _spec(20, 400, 150, 100, 0, 0, 200),
    AT.REST: _spec(0, 0, 0, 0, 0, 0, 0),  # free: never refused, not when exhausted
    AT.CUSTOM: _spec(20, 0, 0, 0, 0, 0, 0),  # XP comes from the player
}
RECOVERY_ACTIONS: frozenset[ActivityType] = frozenset(
    {AT.EXERCISE, AT.LEARNING, AT.SAVE_EXPENSES, AT.REST}
)
# The activities whose absence counts as capacity neglect (§6 step 2).
EFFORT_ACTIVITIES: frozenset[ActivityType] = frozenset({AT.WORK_PROJECT, AT.EXERCISE, AT.LEARNING})
SEASON_MULTIPLIERS: dict[Season, Decimal] = {
    Season.SPRING: Decimal("1.2"),
    Season.SUMMER: Decimal("1.3"),
    Season.AUTUMN: Decimal("1.2"),
    Season.WINTER: Decimal("1.1"),
}
BURNOUT_XP_FACTOR = Decimal("0.3")
CUSTOM_XP_MAX = 5_000


@dataclass(frozen=True, slots=True)
class Multipliers:
    season: Decimal
    capacity: Decimal
    loadout: Decimal
    burnout: Decimal


@dataclass(frozen=True, slots=True)
class ActivityResult:
    activity: ActivityType
    day: date  # the game day the activity belongs to: store it with the activity
    energy_cost: int
    xp_gained: XP
    multipliers: Multipliers
    season: Season
    resource_changes: (
        ResourceChanges  # as applied: deltas for oxygen/gold/keys, values for water/armor
    )
    milestones: tuple[MilestoneAward, ...]
    is_recovery: bool
    state: PlayerState


def energy_cost(activity: ActivityType, bonuses: LoadoutBonuses = NO_BONUSES) -> int:
    """max(0, round(base cost × (1 − energy cost reduction))), the reduction limited to 0–1."""
    reduction = min(ONE, max(Decimal(0), bonuses.energy_cost_reduction))
    return max(0, round_half_away(ACTIVITIES[activity].energy_cost * (ONE - reduction)))


def multipliers_for(state: PlayerState, bonuses: LoadoutBonuses = NO_BONUSES) -> Multipliers:
    """The season, capacity, loadout and burnout factors that apply to the player now."""
    return Multipliers(
        season=SEASON_MULTIPLIERS[state.season],
        capacity=xp_efficiency(state.clouds.capacity),
        loadout=ONE + max(Decimal(0), bonuses.xp_gain),  # a bonus never takes XP away
        burnout=BURNOUT_XP_FACTOR if state.burnout_active else ONE,
    )


def scale_xp(base: int, factors: tuple[Decimal, ...]) -> int:
    """Multiply by each factor in turn, rounding half away after every step."""
    value = base
    for factor in factors:
        value = round_half_away(value * factor)
    return value


def gained_xp(base: XP, factors: tuple[Decimal, ...]) -> XP:
    """Scale the overall and every category XP by the factors, rounding after every step."""
    categories = {c.value: scale_xp(base.categories.get(c), factors) for c in CATEGORIES}
    return XP(scale_xp(base.overall, factors), CategoryXP(**categories))


def base_xp(activity: ActivityType, custom_xp: XP | None) -> XP:
    """The table's XP, or the player's own for CUSTOM (each part limited to 0–5,000)."""
    if activity is not AT.CUSTOM or custom_xp is None:
        return ACTIVITIES[activity].xp
    limit = {c.value: clamp(custom_xp.categories.get(c), 0, CUSTOM_XP_MAX) for c in CATEGORIES}
    return XP(clamp(custom_xp.overall, 0, CUSTOM_XP_MAX), CategoryXP(**limit))


def add_xp(xp: XP, gained: XP) -> XP:
    """Totals after a gain."""
    return XP(xp.overall + gained.overall, xp.categories.plus(gained.categories))


def activity_day(state: PlayerState, today: date) -> date:
    """The open game day an action counts for; refuses a state that was not rolled to today.

    After a timezone move westwards `today` can be earlier than the last rolled day; the action
    then counts for the open day, so a closed day is never reopened.
    """
    if today > state.last_rolled_day:
        raise StateNotRolled(today, state.last_rolled_day)
    return state.last_rolled_day


def charge_energy(state: PlayerState, activity: ActivityType, cost: int, day: date) -> PlayerState:
    """Charge an activity's energy and update the day trackers the rollover reads.

    The cap gates the action (usable = min(stored, cap) must cover the cost) and the cost is then
    deducted from *stored* energy, as §3.1 step 5 says ("deduct energy, never below 0"): a new
    player with 100 stored and a cap of 85 has 70 left after a WORK_PROJECT.
    """
    cap = energy_cap(state.clouds.capacity, state.burnout_active)
    usable = usable_energy(state.energy, cap)
    if usable < cost:
        raise InsufficientEnergy(cost, usable)
    in_recovery = state.burnout_active and activity in RECOVERY_ACTIONS
    return replace(
        state,
        energy=max(0, state.energy - cost),
        energy_spent_today=state.energy_spent_today + cost,
        last_activity_day=day,
        last_effort_activity_day=day
        if activity in EFFORT_ACTIVITIES
        else state.last_effort_activity_day,
        recovery_actions_since_burnout=state.recovery_actions_since_burnout + int(in_recovery),
    )


def perform_activity(
    state: PlayerState,
    activity: ActivityType,
    *,
    today: date,
    custom_xp: XP | None = None,
    resource_changes: ResourceChanges = NO_CHANGES,
    bonuses: LoadoutBonuses = NO_BONUSES,
    active_engines: int = 0,
    achieved: Set[Milestone] = frozenset(),
) -> ActivityResult:
    """Log (or preview) one activity on a state already rolled over to `today` (§3.1 steps 2–6).

    Resource changes are accepted for any activity type (the web layer decides who may send them).
    """
    day = activity_day(state, today)
    if state.burnout_active and activity is AT.WORK_PROJECT:
        raise BurnoutBlocksWork()
    cost = energy_cost(activity, bonuses)
    charged = charge_energy(state, activity, cost, day)
    mult = multipliers_for(state, bonuses)
    if activity is AT.REST:
        gained = XP()
    else:
        factors = (mult.season, mult.capacity, mult.loadout, mult.burnout)
        gained = gained_xp(base_xp(activity, custom_xp), factors)
    resources, applied = apply_reward(state.resources, resource_changes, state.clouds.capacity)
    charged = replace(charged, xp=add_xp(state.xp, gained), resources=resources)
    final, awards = award_milestones(charged, active_engines, achieved)
    return ActivityResult(
        activity=activity,
        day=day,
        energy_cost=cost,
        xp_gained=gained,
        multipliers=mult,
        season=state.season,
        resource_changes=applied,
        milestones=awards,
        is_recovery=activity in RECOVERY_ACTIONS,
        state=final,
    )
