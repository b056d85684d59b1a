"""Undoing an activity of the current game day (docs/GAME_RULES.md §3.2).

The inverse of `perform_activity` for what an activity changed: energy back (never above the
day's cap), XP and resource changes taken away, the day's effort tracking without it.
Milestones and the keys they awarded stay: each is awarded once, and undo does not take it back.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from lifeworld.game.activities import RECOVERY_ACTIONS, activity_day
from lifeworld.game.capacity import energy_cap
from lifeworld.game.errors import DayClosed
from lifeworld.game.resources import NO_CHANGES, ResourceChanges
from lifeworld.game.rounding import CENT, OXYGEN_QUANTUM, quantize
from lifeworld.game.state import CATEGORIES, XP, ActivityType, CategoryXP, PlayerState, Resources

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class LoggedActivity:
    """What an activity recorded when it was logged: the facts undo reverses."""

    activity: ActivityType
    day: date
    energy_used: int
    xp_gained: XP
    resource_changes: ResourceChanges = NO_CHANGES  # as applied: deltas, or set values
    # water and armor are set, not added: their values before the activity, when they were set
    set_before: ResourceChanges = NO_CHANGES


def _less(total: int, part: int) -> int:
    return max(0, total - part)


def remove_xp(xp: XP, gained: XP) -> XP:
    """Totals without a gain (never below 0, e.g. after an admin lowered them meanwhile)."""
    categories = {
        c.value: _less(xp.categories.get(c), gained.categories.get(c)) for c in CATEGORIES
    }
    return XP(_less(xp.overall, gained.overall), CategoryXP(**categories))


def revert_resources(resources: Resources, logged: LoggedActivity) -> Resources:
    """Subtract the added resources' deltas (floor 0); set water and armor back to before."""
    applied, before = logged.resource_changes, logged.set_before
    oxygen, water, gold = resources.oxygen, resources.water, resources.gold
    armor, keys = resources.armor, resources.keys
    if applied.oxygen is not None:
        oxygen = quantize(max(ZERO, oxygen - applied.oxygen), OXYGEN_QUANTUM)
    if applied.gold is not None:
        gold = quantize(max(ZERO, gold - applied.gold), CENT)
    if applied.keys is not None:
        keys = max(0, keys - applied.keys)
    # A set value whose earlier value was not kept (an imported activity) stays as it is.
    if applied.water is not None and before.water is not None:
        water = before.water
    if applied.armor is not None and before.armor is not None:
        armor = before.armor
    return Resources(oxygen=oxygen, water=water, gold=gold, armor=armor, keys=keys)


def undo_activity(
    state: PlayerState,
    logged: LoggedActivity,
    *,
    today: date,
    last_activity_day: date | None,
    last_effort_activity_day: date | None,
) -> PlayerState:
    """The state without `logged`, on a state already rolled over to `today`.

    `last_activity_day` and `last_effort_activity_day` are those of the player's activities
    that remain. Energy comes back up to the cap only: stored energy above the cap (a new day's
    100 with a cap of 85) is not restored, but usable energy always is.
    """
    open_day = activity_day(state, today)
    if logged.day != open_day:
        raise DayClosed(logged.day, open_day)
    cap = energy_cap(state.clouds.capacity, state.burnout_active)
    energy = max(state.energy, min(state.energy + logged.energy_used, cap))
    counted_in_burnout = state.burnout_active and logged.activity in RECOVERY_ACTIONS
    return replace(
        state,
        energy=energy,
        xp=remove_xp(state.xp, logged.xp_gained),
        resources=revert_resources(state.resources, logged),
        energy_spent_today=_less(state.energy_spent_today, logged.energy_used),
        last_activity_day=last_activity_day,
        last_effort_activity_day=last_effort_activity_day,
        recovery_actions_since_burnout=_less(
            state.recovery_actions_since_burnout, int(counted_in_burnout)
        ),
    )
