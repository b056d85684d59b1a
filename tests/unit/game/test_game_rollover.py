"""§6 the day rollover: each step in isolation with hand-computed numbers, and the replay fold."""

import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from lifeworld.game.rollover import (
    DayActivity,
    EventKind,
    Reason,
    RolloverEvent,
    RolloverResult,
    roll_over,
)
from lifeworld.game.state import ActivityType, Category, Clouds, PlayerState

AT = ActivityType
D0 = date(2025, 1, 6)


def day(n: int) -> date:
    return D0 + timedelta(days=n)


def player(
    capacity: int = 50, meaning: int = 50, optionality: int = 50, **changes: object
) -> PlayerState:
    clouds = Clouds(capacity=capacity, meaning=meaning, optionality=optionality)
    return replace(PlayerState.new(D0), clouds=clouds, **changes)  # type: ignore[arg-type]


def quiet(last_rolled: int, **changes: object) -> PlayerState:
    """A player at day `last_rolled` whose weekly evaluation is not due at the next boundary."""
    base: dict[str, object] = {
        "last_rolled_day": day(last_rolled),
        "last_weekly_eval_day": day(last_rolled),
    }
    base.update(changes)
    return player(**base)  # type: ignore[arg-type]


def roll(
    state: PlayerState, days: int = 1, acts: Sequence[DayActivity] = (), engines: int = 0
) -> RolloverResult:
    today = state.last_rolled_day + timedelta(days=days)
    return roll_over(state, today=today, recent_activities=acts, active_engines=engines)


def week(*types: AT) -> list[DayActivity]:
    """Activities on days 0…6 (the 7 days before the boundary at day 7), cycling through them."""
    return [DayActivity(day(i % 7), kind, 20) for i, kind in enumerate(types)]


def weekly(
    capacity: int = 50, meaning: int = 50, optionality: int = 50, **changes: object
) -> PlayerState:
    """A player at day 6, weekly evaluation due at the boundary of day 7, no neglect."""
    base: dict[str, object] = {
        "last_rolled_day": day(6),
        "last_weekly_eval_day": day(0),
        "last_activity_day": day(6),
        "last_effort_activity_day": day(6),
    }
    base.update(changes)
    return player(capacity, meaning, optionality, **base)


# --- no-op -------------------------------------------------------------------------------------


def test_nothing_happens_on_the_same_day_or_earlier() -> None:
    state = quiet(3)
    for today in (day(3), day(1)):
        result = roll_over(state, today=today, recent_activities=[], active_engines=0)
        assert result.days_applied == 0
        assert result.state is state
        assert result.events == []


# --- 1. oxygen decay --------------------------------------------------------------------------


@pytest.mark.parametrize(("engines", "after"), [(0, "0.9"), (1, "0.95"), (2, "1"), (3, "1")])
def test_oxygen_decay(engines: int, after: str) -> None:
    state = quiet(0, resources=replace(PlayerState.new(D0).resources, oxygen=Decimal(1)))
    assert roll(state, engines=engines).state.resources.oxygen == Decimal(after)


def test_oxygen_decay_floors_at_zero() -> None:
    state = quiet(0, resources=replace(PlayerState.new(D0).resources, oxygen=Decimal("0.25")))
    assert roll(state).state.resources.oxygen == Decimal("0.15")
    assert roll(state, days=3).state.resources.oxygen == 0
    assert roll(state, days=5, engines=1).state.resources.oxygen == 0  # 0.25 − 5 × 0.05
    # 0 as the database stores it (4 places): the export's bytes do not depend on whether
    # the request that builds it also replayed the day that emptied the oxygen
    assert str(roll(state, days=3).state.resources.oxygen) == "0.0000"


# --- 2. capacity neglect ----------------------------------------------------------------------


def test_capacity_neglect_every_seventh_day() -> None:
    state = quiet(6, last_effort_activity_day=day(0), last_activity_day=day(6))
    result = roll(state)  # day 7: 7 days since the last effort activity
    assert result.state.clouds.capacity == 48
    assert [
        (e.category, e.delta, e.reason) for e in result.events if e.kind is EventKind.CLOUD_CHANGED
    ] == [(Category.CAPACITY, -2, Reason.CAPACITY_NEGLECT)]
    later = replace(result.state, last_weekly_eval_day=day(13), last_activity_day=day(13))
    assert roll(replace(later, last_rolled_day=day(12))).state.clouds.capacity == 48  # 12 → 13
    assert roll(replace(later, last_rolled_day=day(13))).state.clouds.capacity == 46  # day 14


def test_capacity_neglect_not_before_seven_days() -> None:
    state = quiet(6, last_effort_activity_day=day(1), last_activity_day=day(6))
    assert roll(state).state.clouds.capacity == 50


@pytest.mark.parametrize(("before", "after"), [(21, 20), (20, 20), (15, 15)])
def test_capacity_neglect_floor(before: int, after: int) -> None:
    state = quiet(6, capacity=before, last_effort_activity_day=day(0), last_activity_day=day(6))
    assert roll(state).state.clouds.capacity == after


@pytest.mark.parametrize(
    ("step", "state", "acts", "cloud"),
    [
        # step 2, capacity neglect −2 (floor 20): 7 days since the last effort activity
        ("2", quiet(6, capacity=15, last_effort_activity_day=day(0), last_activity_day=day(6)),
         (), Category.CAPACITY),
        # step 3, meaning drift −1 (floor 20): 7 days since the last activity of any kind
        ("3", quiet(6, meaning=15, last_activity_day=day(0), last_effort_activity_day=None),
         (), Category.MEANING),
        # step 5b, effort decay −1 (floor 20): the closed day (69 of cap 70) makes the streak 7
        ("5b", weekly(capacity=15, energy_spent_today=69, consecutive_high_effort_days=6),
         (), Category.CAPACITY),
        # step 5c, chronic imbalance −1 (floor 20): a week of CUSTOM only, no recovery action
        ("5c", weekly(capacity=15), week(AT.CUSTOM, AT.CUSTOM, AT.CUSTOM), Category.CAPACITY),
    ],
    ids=["2-capacity-neglect", "3-meaning-drift", "5b-effort-decay", "5c-chronic-imbalance"],
)  # fmt: skip
def test_a_floor_never_lifts_a_value_already_below_it(
    step: str, state: PlayerState, acts: Sequence[DayActivity], cloud: Category
) -> None:
    """§6: "(floor F)" lowers a value down to F at most; a value already below F stays where it
    is: capacity (or meaning) 15 minus 1 or 2 with floor 20 stays 15, it does not become 20."""
    result = roll(state, acts=acts)
    assert result.state.clouds.get(cloud) == 15, step
    assert not [e for e in result.events if e.category is cloud], step  # no change recorded


def test_no_neglect_for_a_player_who_never_logged_an_effort_activity() -> None:
    state = quiet(6, last_effort_activity_day=None, last_activity_day=day(6))
    assert roll(state).state.clouds.capacity == 50


def test_rest_does_not_prevent_capacity_neglect() -> None:
    # REST counts for meaning drift (any activity), not for capacity neglect
    state = quiet(6, last_effort_activity_day=day(0), last_activity_day=day(5))
    assert roll(state).state.clouds == Clouds(capacity=48)


# --- 3. meaning drift -------------------------------------------------------------------------


def test_meaning_drift() -> None:
    state = quiet(6, last_activity_day=day(0), last_effort_activity_day=day(0))
    assert roll(state).state.clouds == Clouds(capacity=48, meaning=49)
    fourteen = quiet(13, last_activity_day=day(0), last_effort_activity_day=day(13))
    assert roll(fourteen).state.clouds.meaning == 49
    assert roll(quiet(6, meaning=20, last_activity_day=day(0))).state.clouds.meaning == 20
    assert roll(quiet(6, meaning=21, last_activity_day=day(0))).state.clouds.meaning == 20


def test_replayed_neglect_and_drift_over_three_weeks() -> None:
    # last activity (an effort one) on day 0, rolled from day 0 to 21: boundaries 7, 14, 21
    state = quiet(0, last_activity_day=day(0), last_effort_activity_day=day(0),
                  last_weekly_eval_day=day(0))  # fmt: skip
    result = roll(state, days=21)
    # neglect −2 and drift −1 at days 7, 14 and 21; the weekly evaluations there see no
    # activities (none passed), so 5a, 5c and 5d change nothing
    assert result.state.clouds.capacity == 44
    assert result.state.clouds.meaning == 47
    assert result.days_applied == 21


# --- 4. effort tracking -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("capacity", "burnout", "spent", "high"),
    [
        (50, False, 69, 4),  # 69 / 85 = 0.81 > 0.8
        (50, False, 68, 0),  # 68 / 85 = 0.8 exactly: not above
        (80, False, 89, 4),  # 89 / 110
        (80, False, 88, 0),
        (15, True, 33, 4),  # 33 / 40 = 0.825
        (15, True, 32, 0),
        (25, False, 57, 4),  # 57 / 70 = 0.814
        (25, False, 56, 0),
    ],
)
def test_effort_tracking(capacity: int, burnout: bool, spent: int, high: int) -> None:
    state = quiet(0, capacity=capacity, burnout_active=burnout, energy_spent_today=spent,
                  consecutive_high_effort_days=3)  # fmt: skip
    assert roll(state).state.consecutive_high_effort_days == high


def test_spent_energy_counts_only_for_the_day_it_was_recorded() -> None:
    state = quiet(0, energy_spent_today=80, consecutive_high_effort_days=5)
    assert roll(state).state.consecutive_high_effort_days == 6
    assert roll(state, days=2).state.consecutive_high_effort_days == 0


@pytest.mark.parametrize(
    ("changes", "spent", "high", "capacity_after", "burnout_after"),
    [
        # capacity 60 (cap 100) drops to 58 (cap 85) by neglect at this boundary (step 2, before
        # step 4): 70 spent is 0.70 of the closed day's own cap 100, not high (0.82 of 85 would be)
        (
            {"capacity": 60, "last_effort_activity_day": day(0), "last_activity_day": day(6)},
            70, 0, 58, False,
        ),
        # in burnout all day N − 1 (cap 40) and leaving it at this boundary (capacity 30 > 25, a
        # recovery action logged): 35 spent is 0.875 of 40, high (0.41 of the new cap 85)
        (
            {"capacity": 30, "burnout_active": True, "burnout_since": day(1),
             "recovery_actions_since_burnout": 1, "last_activity_day": day(6),
             "last_effort_activity_day": day(6)},
            35, 3, 30, False,
        ),
        # capacity 15 (cap 70), entering burnout at this boundary (the third low day): 33 spent
        # is 0.47 of 70, not high (0.825 of the burnout cap 40 would be)
        (
            {"capacity": 15, "consecutive_low_capacity_days": 2, "last_activity_day": day(6),
             "last_effort_activity_day": day(6)},
            33, 0, 15, True,
        ),
    ],
    ids=["neglect-lowers-the-cap", "leaving-burnout", "entering-burnout"],
)  # fmt: skip
def test_effort_tracking_divides_by_the_closed_days_own_cap(
    changes: dict[str, object], spent: int, high: int, capacity_after: int, burnout_after: bool
) -> None:
    """§6 step 4: spent / cap > 0.8 with cap = day N − 1's own cap, from its capacity before
    this boundary's steps, or 40 if it was in burnout; not the cap the boundary leaves."""
    state = quiet(6, energy_spent_today=spent, consecutive_high_effort_days=2, **changes)
    result = roll(state).state
    assert (result.clouds.capacity, result.burnout_active) == (capacity_after, burnout_after)
    assert result.consecutive_high_effort_days == high


# --- 5. weekly evaluation ---------------------------------------------------------------------


def test_weekly_evaluation_is_due_seven_days_after_the_last() -> None:
    state = quiet(0, last_weekly_eval_day=day(0))
    six = roll(state, days=6)
    assert six.state.last_weekly_eval_day == day(0)
    assert not [e for e in six.events if e.kind is EventKind.WEEKLY_EVALUATION]
    three_weeks = roll(state, days=21)
    assert [e.day for e in three_weeks.events if e.kind is EventKind.WEEKLY_EVALUATION] == [
        day(7), day(14), day(21)
    ]  # fmt: skip
    assert three_weeks.state.last_weekly_eval_day == day(21)


def test_5a_work_over_60_percent() -> None:
    # WORK 4, EXERCISE 1, LEARNING 1: work 4/6 = 67 % → capacity −5, meaning −3;
    # c: work 67 % ≤ 70 %, recovery present; d: 2 recovery actions → +1
    result = roll(weekly(), acts=week(AT.WORK_PROJECT, AT.WORK_PROJECT, AT.WORK_PROJECT,
                                      AT.WORK_PROJECT, AT.EXERCISE, AT.LEARNING))  # fmt: skip
    assert result.state.clouds == Clouds(capacity=46, meaning=47)
    reasons = [
        (e.category, e.delta, e.reason) for e in result.events if e.kind is EventKind.CLOUD_CHANGED
    ]
    assert reasons == [
        (Category.CAPACITY, -5, Reason.OVER_OPTIMISATION),
        (Category.MEANING, -3, Reason.OVER_OPTIMISATION),
        (Category.CAPACITY, 1, Reason.RECOVERY),
    ]
    assert result.state.last_weekly_eval_day == day(7)


def test_5a_work_at_exactly_60_percent_is_fine() -> None:
    # WORK 3 of 5 = 60 %; 2 recovery actions → +1
    result = roll(weekly(), acts=week(AT.WORK_PROJECT, AT.WORK_PROJECT, AT.WORK_PROJECT,
                                      AT.EXERCISE, AT.LEARNING))  # fmt: skip
    assert result.state.clouds == Clouds(capacity=51)


def test_5a_saving_over_40_percent() -> None:
    # SAVE 3, EXERCISE 2, WORK 2: save 3/7 = 43 % → meaning −4; 5 recovery actions → +2
    acts = week(AT.SAVE_EXPENSES, AT.SAVE_EXPENSES, AT.SAVE_EXPENSES, AT.EXERCISE, AT.EXERCISE,
                AT.WORK_PROJECT, AT.WORK_PROJECT)  # fmt: skip
    assert roll(weekly(), acts=acts).state.clouds == Clouds(capacity=52, meaning=46)


def test_5a_learning_over_50_percent_without_work_or_exercise() -> None:
    # LEARNING 3, SAVE 2: learning 60 %, save 40 % (not above) → optionality −4; 5 recovery → +2
    acts = week(AT.LEARNING, AT.LEARNING, AT.LEARNING, AT.SAVE_EXPENSES, AT.SAVE_EXPENSES)
    assert roll(weekly(), acts=acts).state.clouds == Clouds(capacity=52, optionality=46)
    with_exercise = [*acts, DayActivity(day(6), AT.EXERCISE, 25)]  # learning 3/6 = 50 %
    assert roll(weekly(), acts=with_exercise).state.clouds == Clouds(capacity=52)


def test_5a_floor_is_zero() -> None:
    saving = week(AT.SAVE_EXPENSES, AT.SAVE_EXPENSES, AT.SAVE_EXPENSES, AT.EXERCISE, AT.EXERCISE,
                  AT.WORK_PROJECT, AT.WORK_PROJECT)  # fmt: skip
    assert roll(weekly(meaning=22), acts=saving).state.clouds.meaning == 18  # below 20
    acts = week(AT.LEARNING, AT.LEARNING)
    assert roll(weekly(optionality=2), acts=acts).state.clouds.optionality == 0
    # capacity 3: work 100 % → −5 floors at 0; no recovery → c's −1 does not apply below 20
    work = week(AT.WORK_PROJECT)
    assert roll(weekly(capacity=3, meaning=2), acts=work).state.clouds == Clouds(
        capacity=0, meaning=0
    )


@pytest.mark.parametrize(("streak", "capacity"), [(5, 50), (6, 49), (13, 48), (20, 47), (40, 47)])
def test_5b_effort_decay(streak: int, capacity: int) -> None:
    # spent 69 of 85 makes the closed day a high-effort day: the streak becomes streak + 1
    state = weekly(energy_spent_today=69, consecutive_high_effort_days=streak)
    assert roll(state).state.clouds.capacity == capacity


def test_5b_floor() -> None:
    state = weekly(capacity=21, energy_spent_today=69, consecutive_high_effort_days=30)
    assert roll(state).state.clouds.capacity == 20


def test_5c_no_recovery_action() -> None:
    # only CUSTOM: 5a skipped (no WORK/SAVE/LEARNING/EXERCISE), no recovery → −1
    assert roll(weekly(), acts=week(AT.CUSTOM, AT.CUSTOM, AT.CUSTOM)).state.clouds.capacity == 49


def test_5c_work_over_70_percent_and_no_recovery() -> None:
    # WORK 3, CUSTOM 1: a: work 100 % of focused → −5, meaning −3; c: 75 % → −1, no recovery → −1
    acts = week(AT.WORK_PROJECT, AT.WORK_PROJECT, AT.WORK_PROJECT, AT.CUSTOM)
    assert roll(weekly(), acts=acts).state.clouds == Clouds(capacity=43, meaning=47)


def test_5c_work_over_70_percent_with_rest() -> None:
    # WORK 5, REST 2 (7): a: −5/−3; c: 71 % → −1, REST is a recovery action; d: 2 → +1
    acts = week(*[AT.WORK_PROJECT] * 5, AT.REST, AT.REST)
    assert roll(weekly(), acts=acts).state.clouds == Clouds(capacity=45, meaning=47)


def test_5c_skipped_without_activities() -> None:
    assert roll(weekly()).state.clouds == Clouds()


@pytest.mark.parametrize(("rests", "capacity"), [(1, 50), (2, 51), (3, 52), (6, 52)])
def test_5d_recovery(rests: int, capacity: int) -> None:
    assert roll(weekly(), acts=week(*[AT.REST] * rests)).state.clouds.capacity == capacity


def test_5d_caps_at_100() -> None:
    acts = week(AT.REST, AT.REST, AT.REST)
    assert roll(weekly(capacity=99), acts=acts).state.clouds.capacity == 100
    assert roll(weekly(capacity=100), acts=acts).state.clouds.capacity == 100


def test_weekly_window_is_the_seven_days_before() -> None:
    # day −1 is 8 days before the boundary at day 7: not counted
    acts = [DayActivity(day(-1), AT.REST, 18), DayActivity(day(0), AT.REST, 18)]
    assert roll(weekly(), acts=acts).state.clouds.capacity == 50  # one recovery action: +0


# --- 6. burnout -------------------------------------------------------------------------------


def test_entering_burnout_after_three_low_days() -> None:
    state = quiet(0, capacity=19)
    assert roll(state, days=2).state.consecutive_low_capacity_days == 2
    assert not roll(state, days=2).state.burnout_active
    result = roll(state, days=3)
    assert result.state.burnout_active
    assert result.state.burnout_since == day(3)
    assert result.state.consecutive_low_capacity_days == 0
    assert [(e.kind, e.day) for e in result.events if e.kind is EventKind.BURNOUT_ENTERED] == [
        (EventKind.BURNOUT_ENTERED, day(3))
    ]


def test_capacity_20_is_not_low() -> None:
    state = quiet(0, capacity=20, consecutive_low_capacity_days=2)
    result = roll(state).state
    assert not result.burnout_active
    assert result.consecutive_low_capacity_days == 0


def test_weekly_over_optimisation_can_push_into_burnout() -> None:
    # capacity 22, work only → −5 = 17, then −1 (no recovery, floor 20 does not lift 17)
    state = weekly(capacity=22, consecutive_low_capacity_days=2)
    result = roll(state, acts=week(AT.WORK_PROJECT)).state
    assert result.clouds.capacity == 17
    assert result.burnout_active


@pytest.mark.parametrize(
    ("capacity", "recoveries", "left"),
    [(26, 1, True), (25, 1, False), (26, 0, False), (90, 3, True)],
)
def test_leaving_burnout(capacity: int, recoveries: int, left: bool) -> None:
    state = quiet(0, capacity=capacity, burnout_active=True, burnout_since=day(-10),
                  recovery_actions_since_burnout=recoveries)  # fmt: skip
    result = roll(state)
    assert result.state.burnout_active is not left
    assert (result.state.burnout_since is None) is left
    if left:
        assert result.state.recovery_actions_since_burnout == 0
        assert [e.kind for e in result.events] == [EventKind.BURNOUT_LEFT]


def test_weekly_recovery_lifts_a_player_out_of_burnout() -> None:
    # capacity 25 in burnout, 3 recovery actions in the week: +2 → 27 > 25 → leaves at day 7
    state = weekly(capacity=25, burnout_active=True, burnout_since=day(0),
                   recovery_actions_since_burnout=3)  # fmt: skip
    result = roll(state, acts=week(AT.EXERCISE, AT.LEARNING, AT.SAVE_EXPENSES))
    assert result.state.clouds.capacity == 27
    assert not result.state.burnout_active


# --- 7. energy reset --------------------------------------------------------------------------


def test_energy_reset() -> None:
    started = datetime(2025, 1, 7, 5, 0, tzinfo=UTC)
    state = quiet(0, energy=3, energy_spent_today=97)
    result = roll_over(state, today=day(1), recent_activities=[], active_engines=0,
                       day_started_at=started)  # fmt: skip
    assert (result.state.energy, result.state.energy_spent_today) == (100, 0)
    assert result.state.energy_restored_at == started
    assert result.state.last_rolled_day == day(1)
    assert roll(quiet(0, energy=3)).state.energy_restored_at is None  # left for the service


# --- the fold ---------------------------------------------------------------------------------


def _busy_player() -> tuple[PlayerState, list[DayActivity]]:
    acts = [
        *week(AT.WORK_PROJECT, AT.WORK_PROJECT, AT.WORK_PROJECT, AT.WORK_PROJECT, AT.CUSTOM),
        DayActivity(day(4), AT.SAVE_EXPENSES, 15),
    ]
    state = replace(
        weekly(capacity=24, meaning=30, optionality=5),
        last_rolled_day=day(4),
        last_weekly_eval_day=day(1),
        last_activity_day=day(4),
        last_effort_activity_day=day(2),
        energy_spent_today=80,
        consecutive_high_effort_days=6,
        consecutive_low_capacity_days=1,
        resources=replace(PlayerState.new(D0).resources, oxygen=Decimal("7.5")),
    )
    return state, acts


def test_a_year_in_one_call_equals_a_year_day_by_day() -> None:
    state, acts = _busy_player()
    once = roll_over(state, today=state.last_rolled_day + timedelta(days=365),
                     recent_activities=acts, active_engines=1)  # fmt: skip
    stepwise, events = state, list[RolloverEvent]()
    for _ in range(365):
        step = roll(stepwise, acts=acts, engines=1)
        assert step.days_applied == 1
        stepwise, events = step.state, events + step.events
    assert once.days_applied == 365
    assert once.state == stepwise
    assert once.events == events
    # the replay did something: burnout came and neglect drove the clouds to their floors
    assert any(e.kind is EventKind.BURNOUT_ENTERED for e in once.events)
    assert once.state.resources.oxygen == 0


def test_a_year_replay_is_fast() -> None:
    state, acts = _busy_player()
    today = state.last_rolled_day + timedelta(days=365)
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        roll_over(state, today=today, recent_activities=acts, active_engines=1)
        best = min(best, time.perf_counter() - started)
    assert best < 0.010
