"""The day rollover ("tick"): close each passed day and open the next (GAME_RULES.md §6).

Decisions where §6 leaves room (each is what we judged fair, following the text where it speaks):
- Floors: step 5a uses floor 0 as written; steps 2, 3, 5b and 5c use floor 20. A floor never
  raises a value that is already below it, and "capacity > 20" in step 2 is read as
  "meaning > 20" for step 3 ("the same rule").
- Step 4 divides by the cap the player had *during* day N − 1 (capacity and burnout before this
  boundary's steps), because that cap is what limited the day's spending. The energy spent on
  day N − 1 is `state.energy_spent_today` when N − 1 is the day it was recorded for (the last
  rolled day) and 0 for every later day of a replay: nothing can be logged on a skipped day.
- Step 5a counts WORK_PROJECT, SAVE_EXPENSES, LEARNING and EXERCISE; its rules are independent,
  so several may apply in one evaluation. Step 5c counts every activity type (REST and CUSTOM
  too); recovery actions are EXERCISE, LEARNING, SAVE_EXPENSES and REST (§3).
- Step 6: the low-capacity counter restarts at 0 when burnout begins and stays 0 during it;
  leaving burnout resets the recovery-action counter.
- Step 7 sets energy to 100 and `energy_spent_today` to 0. `energy_restored_at` is set to
  `day_started_at` when the caller passes it (the instant the last applied day began,
  `days.day_start(...)`), else left for the service.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from lifeworld.game.activities import RECOVERY_ACTIONS
from lifeworld.game.capacity import energy_cap
from lifeworld.game.rounding import OXYGEN_QUANTUM, quantize
from lifeworld.game.state import ActivityType, Category, Clouds, PlayerState

AT = ActivityType
WEEK = 7
NEGLECT_FLOOR = 20
BURNOUT_ENTRY_CAPACITY = 20  # capacity below this is a low-capacity day
BURNOUT_EXIT_CAPACITY = 25  # capacity above this (with a recovery action) ends burnout
LOW_DAYS_FOR_BURNOUT = 3
DAILY_ENERGY = 100


@dataclass(frozen=True, slots=True)
class DayActivity:
    """One of the player's recent activities: its game day, type and the energy it used.

    Step 4 reads the day's spending from `PlayerState.energy_spent_today`; `energy_used` is
    carried so the service can hand over its activity rows as they are.
    """

    day: date
    type: ActivityType
    energy_used: int


class EventKind(StrEnum):
    CLOUD_CHANGED = "cloud_changed"
    BURNOUT_ENTERED = "burnout_entered"
    BURNOUT_LEFT = "burnout_left"
    WEEKLY_EVALUATION = "weekly_evaluation"


class Reason(StrEnum):
    CAPACITY_NEGLECT = "capacity_neglect"
    MEANING_DRIFT = "meaning_drift"
    OVER_OPTIMISATION = "over_optimisation"
    EFFORT_DECAY = "effort_decay"
    CHRONIC_IMBALANCE = "chronic_imbalance"
    RECOVERY = "recovery"


@dataclass(frozen=True, slots=True)
class RolloverEvent:
    day: date
    kind: EventKind
    category: Category | None = None
    delta: int = 0
    reason: Reason | None = None


@dataclass(frozen=True, slots=True)
class RolloverResult:
    state: PlayerState
    days_applied: int
    events: list[RolloverEvent]


@dataclass(slots=True)
class _Working:
    """The parts of the state a boundary changes, mutable while the days are folded."""

    clouds: dict[Category, int]
    oxygen: Decimal
    burnout: bool
    burnout_since: date | None
    high_effort_days: int
    low_capacity_days: int
    recovery_actions: int
    last_weekly_eval: date
    events: list[RolloverEvent] = field(default_factory=list)

    def lower(self, day: date, category: Category, amount: int, floor: int, reason: Reason) -> None:
        value = self.clouds[category]
        if value > floor:  # a floor never lifts a value that is already below it
            self.set(day, category, max(floor, value - amount), reason)

    def set(self, day: date, category: Category, value: int, reason: Reason) -> None:
        delta = value - self.clouds[category]
        if delta:
            self.clouds[category] = value
            self.events.append(RolloverEvent(day, EventKind.CLOUD_CHANGED, category, delta, reason))


def oxygen_decay(active_engines: int) -> Decimal:
    """Daily oxygen loss: max(0, 0.1 − 0.05 × active engines)."""
    return max(Decimal(0), Decimal("0.1") - Decimal("0.05") * max(0, active_engines))


def _due_every_week(day: date, since: date | None) -> bool:
    if since is None:
        return False
    elapsed = (day - since).days
    return elapsed >= WEEK and elapsed % WEEK == 0


def _counts_by_day(activities: Sequence[DayActivity]) -> dict[date, Counter[ActivityType]]:
    by_day: dict[date, Counter[ActivityType]] = {}
    for activity in activities:
        by_day.setdefault(activity.day, Counter())[activity.type] += 1
    return by_day


def _weekly_evaluation(w: _Working, day: date, week: Counter[ActivityType]) -> None:
    cap, mean, opt = Category.CAPACITY, Category.MEANING, Category.OPTIONALITY
    work, save = week[AT.WORK_PROJECT], week[AT.SAVE_EXPENSES]
    learning, exercise = week[AT.LEARNING], week[AT.EXERCISE]
    focused = work + save + learning + exercise
    if focused:  # a: over-optimisation, floor 0; shares compared exactly in integers
        if work * 100 > 60 * focused:
            w.lower(day, cap, 5, 0, Reason.OVER_OPTIMISATION)
            w.lower(day, mean, 3, 0, Reason.OVER_OPTIMISATION)
        if save * 100 > 40 * focused:
            w.lower(day, mean, 4, 0, Reason.OVER_OPTIMISATION)
        if learning * 100 > 50 * focused and work == 0 and exercise == 0:
            w.lower(day, opt, 4, 0, Reason.OVER_OPTIMISATION)
    high = w.high_effort_days  # b: effort decay
    decay = 3 if high >= 21 else 2 if high >= 14 else 1 if high >= 7 else 0
    if decay:
        w.lower(day, cap, decay, NEGLECT_FLOOR, Reason.EFFORT_DECAY)
    total = sum(week.values())
    recovery = sum(n for kind, n in week.items() if kind in RECOVERY_ACTIONS)
    if total:  # c: chronic imbalance
        if work * 100 > 70 * total:
            w.lower(day, cap, 1, NEGLECT_FLOOR, Reason.CHRONIC_IMBALANCE)
        if recovery == 0:
            w.lower(day, cap, 1, NEGLECT_FLOOR, Reason.CHRONIC_IMBALANCE)
    boost = 2 if recovery >= 3 else 1 if recovery == 2 else 0  # d: recovery
    if boost and w.clouds[cap] < 100:
        w.set(day, cap, min(100, w.clouds[cap] + boost), Reason.RECOVERY)
    w.last_weekly_eval = day
    w.events.append(RolloverEvent(day, EventKind.WEEKLY_EVALUATION))


def _burnout(w: _Working, day: date) -> None:
    capacity = w.clouds[Category.CAPACITY]
    if not w.burnout:
        w.low_capacity_days = w.low_capacity_days + 1 if capacity < BURNOUT_ENTRY_CAPACITY else 0
        if w.low_capacity_days >= LOW_DAYS_FOR_BURNOUT:
            w.burnout, w.burnout_since = True, day
            w.low_capacity_days = w.recovery_actions = 0
            w.events.append(RolloverEvent(day, EventKind.BURNOUT_ENTERED))
    elif capacity > BURNOUT_EXIT_CAPACITY and w.recovery_actions >= 1:
        w.burnout, w.burnout_since, w.recovery_actions = False, None, 0
        w.events.append(RolloverEvent(day, EventKind.BURNOUT_LEFT))


def roll_over(
    state: PlayerState,
    *,
    today: date,
    recent_activities: Sequence[DayActivity],
    active_engines: int,
    day_started_at: datetime | None = None,
) -> RolloverResult:
    """Apply each boundary from `state.last_rolled_day` + 1 through `today`, oldest first."""
    first = state.last_rolled_day + timedelta(days=1)
    if today < first:
        return RolloverResult(state, 0, [])
    w = _Working(
        clouds={c: state.clouds.get(c) for c in Category},
        oxygen=state.resources.oxygen,
        burnout=state.burnout_active,
        burnout_since=state.burnout_since,
        high_effort_days=state.consecutive_high_effort_days,
        low_capacity_days=state.consecutive_low_capacity_days,
        recovery_actions=state.recovery_actions_since_burnout,
        last_weekly_eval=state.last_weekly_eval_day,
    )
    by_day = _counts_by_day(recent_activities)
    decay = oxygen_decay(active_engines)
    one_day = timedelta(days=1)
    day, spent = first, state.energy_spent_today
    while day <= today:
        cap = energy_cap(w.clouds[Category.CAPACITY], w.burnout)  # the cap of day N − 1
        if decay:
            # quantized after the floor: 0 reads 0.0000, as the stored value does
            w.oxygen = quantize(max(Decimal(0), w.oxygen - decay), OXYGEN_QUANTUM)
        if _due_every_week(day, state.last_effort_activity_day):
            w.lower(day, Category.CAPACITY, 2, NEGLECT_FLOOR, Reason.CAPACITY_NEGLECT)
        if _due_every_week(day, state.last_activity_day):
            w.lower(day, Category.MEANING, 1, NEGLECT_FLOOR, Reason.MEANING_DRIFT)
        # spent / cap > 0.8, compared exactly in integers
        w.high_effort_days = w.high_effort_days + 1 if spent * 5 > cap * 4 else 0
        if (day - w.last_weekly_eval).days >= WEEK:
            week: Counter[ActivityType] = Counter()
            for back in range(1, WEEK + 1):
                week.update(by_day.get(day - timedelta(days=back), ()))
            _weekly_evaluation(w, day, week)
        _burnout(w, day)
        spent = 0  # nothing can be logged on a day a replay skips over
        day += one_day
    new_state = replace(
        state,
        clouds=Clouds(**{c.value: v for c, v in w.clouds.items()}),
        resources=replace(state.resources, oxygen=w.oxygen),
        energy=DAILY_ENERGY,
        last_rolled_day=today,
        last_weekly_eval_day=w.last_weekly_eval,
        burnout_active=w.burnout,
        burnout_since=w.burnout_since,
        consecutive_high_effort_days=w.high_effort_days,
        consecutive_low_capacity_days=w.low_capacity_days,
        recovery_actions_since_burnout=w.recovery_actions,
        energy_spent_today=0,
        energy_restored_at=day_started_at or state.energy_restored_at,
    )
    return RolloverResult(new_state, (today - first).days + 1, w.events)
