"""§3.2 undoing an activity of the current game day: the inverse of logging it, milestones kept."""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from tests.unit.game.test_game_properties import category_xp, decimals, players

from lifeworld.game.activities import ActivityResult, perform_activity
from lifeworld.game.capacity import energy_cap, usable_energy
from lifeworld.game.errors import DayClosed, GameRuleError
from lifeworld.game.loadouts import LoadoutBonuses
from lifeworld.game.milestones import Milestone
from lifeworld.game.resources import NO_CHANGES, ResourceChanges
from lifeworld.game.state import XP, ActivityType, CategoryXP, PlayerState
from lifeworld.game.undo import LoggedActivity, undo_activity

AT = ActivityType
DAY = date(2025, 3, 3)


def logged_from(before: PlayerState, result: ActivityResult) -> LoggedActivity:
    """What the service stores with an activity and reads back to undo it."""
    applied = result.resource_changes
    return LoggedActivity(
        activity=result.activity,
        day=result.day,
        energy_used=result.energy_cost,
        xp_gained=result.xp_gained,
        resource_changes=applied,
        set_before=ResourceChanges(
            water=None if applied.water is None else before.resources.water,
            armor=None if applied.armor is None else before.resources.armor,
        ),
    )


def undo(before: PlayerState, result: ActivityResult, *, today: date = DAY) -> PlayerState:
    return undo_activity(
        result.state,
        logged_from(before, result),
        today=today,
        last_activity_day=before.last_activity_day,
        last_effort_activity_day=before.last_effort_activity_day,
    )


def test_undo_gives_back_energy_xp_and_resources() -> None:
    start = replace(PlayerState.new(DAY), energy=80)  # capacity 50: cap 85
    changes = ResourceChanges(gold=Decimal("120.50"), oxygen=Decimal("0.5"), water=Decimal(70))
    result = perform_activity(start, AT.SAVE_EXPENSES, today=DAY, resource_changes=changes)
    assert result.state.energy == 65
    assert result.state.resources.keys == 1  # FIRST_ASSET: gold > 0
    undone = undo(start, result)
    assert undone.energy == 80
    assert undone.xp == XP()
    assert undone.resources == replace(start.resources, keys=1)  # the milestone's key stays
    assert undone.energy_spent_today == 0
    assert undone.last_activity_day is None


def test_energy_comes_back_up_to_the_cap_only() -> None:
    start = PlayerState.new(DAY)  # 100 stored, cap 85 at capacity 50
    result = perform_activity(start, AT.WORK_PROJECT, today=DAY)
    undone = undo(start, result)
    assert undone.energy == 85  # not 100: never above the day's cap
    assert usable_energy(undone.energy, 85) == usable_energy(start.energy, 85)


def test_energy_given_back_never_lowers_energy() -> None:
    start = replace(PlayerState.new(DAY), energy=100)
    result = perform_activity(start, AT.LEARNING, today=DAY)
    slept = replace(result.state, energy=95)  # a night logged since: above the cap already
    logged = logged_from(start, result)
    undone = undo_activity(
        slept, logged, today=DAY, last_activity_day=None, last_effort_activity_day=None
    )
    assert undone.energy == 95


def test_a_closed_day_cannot_be_undone() -> None:
    start = PlayerState.new(DAY)
    result = perform_activity(start, AT.EXERCISE, today=DAY)
    tomorrow = replace(result.state, last_rolled_day=DAY + timedelta(days=1))
    with pytest.raises(DayClosed) as refused:
        undo_activity(
            tomorrow,
            logged_from(start, result),
            today=DAY + timedelta(days=1),
            last_activity_day=None,
            last_effort_activity_day=None,
        )
    assert refused.value.code == "day_closed"
    assert refused.value.details == {"day": "2025-03-03", "today": "2025-03-04"}


def test_recovery_in_burnout_is_forgotten() -> None:
    burnt = replace(PlayerState.new(DAY), burnout_active=True, burnout_since=DAY)
    result = perform_activity(burnt, AT.EXERCISE, today=DAY)
    assert result.state.recovery_actions_since_burnout == 1
    assert undo(burnt, result).recovery_actions_since_burnout == 0


def test_the_day_trackers_are_those_of_what_remains() -> None:
    start = replace(PlayerState.new(DAY), last_activity_day=DAY - timedelta(days=2))
    result = perform_activity(start, AT.EXERCISE, today=DAY)
    assert result.state.last_effort_activity_day == DAY
    undone = undo(start, result)
    assert undone.last_activity_day == DAY - timedelta(days=2)
    assert undone.last_effort_activity_day is None


def test_custom_keys_are_taken_back_and_milestone_keys_stay() -> None:
    start = replace(PlayerState.new(DAY), resources=replace(PlayerState.new(DAY).resources))
    changes = ResourceChanges(oxygen=Decimal(6), keys=2, armor=40)
    result = perform_activity(start, AT.CUSTOM, today=DAY, resource_changes=changes)
    assert [a.milestone for a in result.milestones] == [Milestone.SIX_MONTHS_EXPENSES]
    assert result.state.resources.keys == 3
    undone = undo(start, result)
    assert undone.resources.keys == 1
    assert undone.resources.oxygen == 0
    assert undone.resources.armor == 0


def test_an_unknown_earlier_set_value_stays() -> None:
    start = PlayerState.new(DAY)
    water = ResourceChanges(water=Decimal(90))
    result = perform_activity(start, AT.CUSTOM, today=DAY, resource_changes=water)
    logged = replace(logged_from(start, result), set_before=NO_CHANGES)  # imported: not kept
    undone = undo_activity(
        result.state, logged, today=DAY, last_activity_day=None, last_effort_activity_day=None
    )
    assert undone.resources.water == 90


CHANGES = st.builds(
    ResourceChanges,
    oxygen=st.none() | decimals(-3, 8, 4),
    water=st.none() | decimals(0, 100, 2),
    gold=st.none() | decimals(-500, 5_000, 2),
    armor=st.none() | st.integers(0, 100),
    keys=st.none() | st.integers(-2, 3),
)


@settings(max_examples=500, deadline=None)
@given(
    players(),
    st.sampled_from(AT),
    category_xp(5_000),
    st.integers(0, 5_000),
    CHANGES,
    st.builds(LoadoutBonuses, xp_gain=decimals(0, 1, 2), energy_cost_reduction=decimals(0, 1, 2)),
    st.integers(0, 3),
)
def test_log_then_undo_returns_the_state(
    player: PlayerState,
    kind: AT,
    categories: CategoryXP,
    overall: int,
    changes: ResourceChanges,
    bonuses: LoadoutBonuses,
    engines: int,
) -> None:
    today = player.last_rolled_day
    try:
        result = perform_activity(
            player,
            kind,
            today=today,
            custom_xp=XP(overall, categories),
            resource_changes=changes,
            bonuses=bonuses,
            active_engines=engines,
        )
    except GameRuleError:
        assume(False)
        raise
    undone = undo(player, result, today=today)
    milestone_keys = sum(a.keys for a in result.milestones)
    cap = energy_cap(player.clouds.capacity, player.burnout_active)
    assert usable_energy(undone.energy, cap) == usable_energy(player.energy, cap)
    above_cap = max(cap, result.state.energy)  # stored energy above the cap is not given back
    assert undone.energy == (player.energy if player.energy <= cap else above_cap)
    assert undone.xp == player.xp
    keys = player.resources.keys + milestone_keys
    assert undone.resources == replace(player.resources, keys=keys)
    assert replace(undone, energy=player.energy, resources=player.resources) == player
