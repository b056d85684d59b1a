"""§3 activity table and the §3.1 logging pipeline, numbers computed by hand from the rule book."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from lifeworld.game.activities import (
    ACTIVITIES,
    RECOVERY_ACTIONS,
    SEASON_MULTIPLIERS,
    energy_cost,
    perform_activity,
)
from lifeworld.game.errors import BurnoutBlocksWork, InsufficientEnergy, StateNotRolled
from lifeworld.game.loadouts import LoadoutBonuses
from lifeworld.game.milestones import Milestone
from lifeworld.game.resources import ResourceChanges
from lifeworld.game.state import XP, ActivityType, CategoryXP, Clouds, PlayerState, Season

AT = ActivityType
DAY = date(2025, 3, 3)


def state(capacity: int = 50, **changes: object) -> PlayerState:
    base = PlayerState.new(DAY)
    return replace(base, clouds=replace(base.clouds, capacity=capacity), **changes)  # type: ignore[arg-type]


def xp(overall: int, cap: int, eng: int, oxy: int, mean: int, opt: int) -> XP:
    return XP(overall, CategoryXP(cap, eng, oxy, mean, opt))


def test_the_table() -> None:
    table = {
        AT.WORK_PROJECT: (30, xp(500, 100, 300, 50, 0, 0)),
        AT.EXERCISE: (25, xp(200, 250, 0, 0, 0, 50)),
        AT.SAVE_EXPENSES: (15, xp(1000, 0, 200, 500, 0, 300)),
        AT.LEARNING: (20, xp(400, 150, 100, 0, 0, 200)),
        AT.REST: (0, xp(0, 0, 0, 0, 0, 0)),
        AT.CUSTOM: (20, xp(0, 0, 0, 0, 0, 0)),
    }
    assert {k: (v.energy_cost, v.xp) for k, v in ACTIVITIES.items()} == table
    assert {AT.EXERCISE, AT.LEARNING, AT.SAVE_EXPENSES, AT.REST} == RECOVERY_ACTIONS
    assert {
        Season.SPRING: Decimal("1.2"),
        Season.SUMMER: Decimal("1.3"),
        Season.AUTUMN: Decimal("1.2"),
        Season.WINTER: Decimal("1.1"),
    } == SEASON_MULTIPLIERS


@pytest.mark.parametrize(
    ("activity", "cost", "gained"),
    [
        # capacity 50 (efficiency 1.00), SPRING (× 1.2), no loadout
        (AT.WORK_PROJECT, 30, xp(600, 120, 360, 60, 0, 0)),
        (AT.EXERCISE, 25, xp(240, 300, 0, 0, 0, 60)),
        (AT.SAVE_EXPENSES, 15, xp(1200, 0, 240, 600, 0, 360)),
        (AT.LEARNING, 20, xp(480, 180, 120, 0, 0, 240)),
        (AT.REST, 0, xp(0, 0, 0, 0, 0, 0)),
    ],
)
def test_each_activity_at_capacity_50_in_spring(activity: AT, cost: int, gained: XP) -> None:
    result = perform_activity(state(), activity, today=DAY)
    assert result.energy_cost == cost
    assert result.xp_gained == gained
    assert result.state.xp == gained  # added to a new player's 0
    assert result.state.energy == 100 - cost
    assert result.is_recovery is (activity in RECOVERY_ACTIONS)


def test_custom_activity_uses_the_players_xp() -> None:
    custom = xp(100, 10, 20, 30, 40, 50)
    result = perform_activity(state(), AT.CUSTOM, today=DAY, custom_xp=custom)
    assert result.energy_cost == 20
    assert result.xp_gained == xp(120, 12, 24, 36, 48, 60)
    assert not result.is_recovery


def test_custom_xp_is_limited_to_0_to_5000() -> None:
    custom = xp(9_000, -5, 5_000, 0, 0, 0)
    result = perform_activity(state(), AT.CUSTOM, today=DAY, custom_xp=custom)
    assert result.xp_gained == xp(6_000, 0, 6_000, 0, 0, 0)


def test_rest_never_gives_xp_even_with_bonuses() -> None:
    bonuses = LoadoutBonuses(xp_gain=Decimal("0.5"))
    result = perform_activity(state(90), AT.REST, today=DAY, bonuses=bonuses)
    assert result.xp_gained == XP()


@pytest.mark.parametrize(
    ("season", "overall"),
    [(Season.SPRING, 600), (Season.SUMMER, 650), (Season.AUTUMN, 600), (Season.WINTER, 550)],
)
def test_season_multiplier(season: Season, overall: int) -> None:
    result = perform_activity(state(season=season), AT.WORK_PROJECT, today=DAY)
    assert result.xp_gained.overall == overall
    assert result.multipliers.season == SEASON_MULTIPLIERS[season]
    assert result.season is season


@pytest.mark.parametrize(
    ("capacity", "gained"),
    [
        (10, xp(360, 72, 216, 36, 0, 0)),  # 600 × 0.6
        (30, xp(480, 96, 288, 48, 0, 0)),  # × 0.8
        (75, xp(660, 132, 396, 66, 0, 0)),  # × 1.1
        (90, xp(690, 138, 414, 69, 0, 0)),  # × 1.15
    ],
)
def test_capacity_efficiency(capacity: int, gained: XP) -> None:
    assert perform_activity(state(capacity), AT.WORK_PROJECT, today=DAY).xp_gained == gained


def test_loadout_xp_gain() -> None:
    result = perform_activity(
        state(), AT.WORK_PROJECT, today=DAY, bonuses=LoadoutBonuses(xp_gain=Decimal("0.25"))
    )
    assert result.xp_gained == xp(750, 150, 450, 75, 0, 0)
    assert result.multipliers.loadout == Decimal("1.25")


def test_burnout_multiplier() -> None:
    # EXERCISE at capacity 15 in burnout: 200 × 1.2 = 240 × 0.6 = 144 × 0.3 = 43.2 → 43
    # capacity: 300 × 0.6 = 180 × 0.3 = 54; optionality: 60 × 0.6 = 36 × 0.3 = 10.8 → 11
    burnt = state(15, burnout_active=True, burnout_since=DAY)
    result = perform_activity(burnt, AT.EXERCISE, today=DAY)
    assert result.xp_gained == xp(43, 54, 0, 0, 0, 11)
    assert result.multipliers.burnout == Decimal("0.3")
    assert result.multipliers.capacity == Decimal("0.60")


def test_xp_is_rounded_after_every_step() -> None:
    # CUSTOM 5 XP, WINTER, capacity 30, +10 %: 5.5 → 6; 6 × 0.8 = 4.8 → 5; 5 × 1.1 = 5.5 → 6.
    # Rounding only at the end would give 5 × 1.1 × 0.8 × 1.1 = 4.84 → 5.
    result = perform_activity(
        state(30, season=Season.WINTER),
        AT.CUSTOM,
        today=DAY,
        custom_xp=XP(5, CategoryXP()),
        bonuses=LoadoutBonuses(xp_gain=Decimal("0.10")),
    )
    assert result.xp_gained.overall == 6


@pytest.mark.parametrize(
    ("activity", "reduction", "cost"),
    [
        (AT.WORK_PROJECT, "0.10", 27),
        (AT.WORK_PROJECT, "0.25", 23),  # 22.5 → 23
        (AT.EXERCISE, "0.25", 19),  # 18.75
        (AT.SAVE_EXPENSES, "0.25", 11),  # 11.25
        (AT.LEARNING, "0.25", 15),
        (AT.REST, "0.25", 0),  # free at any reduction
        (AT.CUSTOM, "0.15", 17),
        (AT.WORK_PROJECT, "1.5", 0),  # never below 0
    ],
)
def test_energy_cost_reduction(activity: AT, reduction: str, cost: int) -> None:
    assert energy_cost(activity, LoadoutBonuses(energy_cost_reduction=Decimal(reduction))) == cost


def test_burnout_blocks_work_only() -> None:
    burnt = state(15, burnout_active=True, burnout_since=DAY)
    with pytest.raises(BurnoutBlocksWork) as refused:
        perform_activity(burnt, AT.WORK_PROJECT, today=DAY)
    assert refused.value.code == "burnout_blocks_work"
    assert "EXERCISE, LEARNING or SAVE_EXPENSES" in refused.value.message
    assert "25" in refused.value.message
    for activity in (AT.EXERCISE, AT.LEARNING, AT.SAVE_EXPENSES, AT.REST, AT.CUSTOM):
        perform_activity(burnt, activity, today=DAY)


def test_insufficient_energy_names_the_numbers() -> None:
    with pytest.raises(InsufficientEnergy) as refused:
        perform_activity(state(energy=29), AT.WORK_PROJECT, today=DAY)
    assert refused.value.code == "insufficient_energy"
    assert (refused.value.needed, refused.value.usable) == (30, 29)
    assert refused.value.details == {"needed": 30, "usable": 29}


@pytest.mark.parametrize(
    "tired",
    [
        state(energy=0),
        state(15, energy=0, burnout_active=True, burnout_since=DAY),
        state(10, energy=3, burnout_active=True, burnout_since=DAY),
    ],
    ids=["exhausted", "exhausted in burnout", "nearly empty in burnout"],
)
def test_rest_is_free_and_never_refused(tired: PlayerState) -> None:
    rested = perform_activity(tired, AT.REST, today=DAY)
    assert rested.energy_cost == 0
    assert rested.state.energy == tired.energy
    assert rested.xp_gained == XP()
    assert rested.is_recovery


def test_the_check_uses_usable_energy() -> None:
    burnt = state(15, burnout_active=True, energy=19)
    with pytest.raises(InsufficientEnergy) as refused:
        perform_activity(burnt, AT.CUSTOM, today=DAY,
                         bonuses=LoadoutBonuses(energy_cost_reduction=Decimal("-2")))  # fmt: skip
    assert refused.value.usable == 19
    assert refused.value.needed == 20  # a negative reduction is ignored, not a cost increase
    exact = perform_activity(state(energy=30), AT.WORK_PROJECT, today=DAY)
    assert exact.state.energy == 0


def test_energy_is_deducted_from_stored_energy() -> None:
    # a new player: 100 stored, cap 85 at capacity 50 → 70 after a WORK_PROJECT
    assert perform_activity(state(), AT.WORK_PROJECT, today=DAY).state.energy == 70


def test_resource_changes_scaled_by_reward_efficiency() -> None:
    changes = ResourceChanges(
        oxygen=Decimal("1.5"), water=Decimal(80), gold=Decimal(100), armor=45, keys=1
    )
    low = perform_activity(state(30), AT.CUSTOM, today=DAY, resource_changes=changes)  # × 0.9
    assert low.state.resources.oxygen == Decimal("1.35")
    assert low.state.resources.water == Decimal(72)
    assert low.state.resources.gold == Decimal(90)
    assert low.state.resources.armor == 41  # 40.5 → 41
    assert low.state.resources.keys == 2  # 0.9 → 1, and FIRST_ASSET's key (gold > 0)
    assert [a.milestone for a in low.milestones] == [Milestone.FIRST_ASSET]
    assert low.resource_changes == ResourceChanges(
        oxygen=Decimal("1.35"), water=Decimal(72), gold=Decimal(90), armor=41, keys=1
    )


def test_milestones_are_checked_after_the_activity() -> None:
    changes = ResourceChanges(oxygen=Decimal(6))
    result = perform_activity(state(), AT.SAVE_EXPENSES, today=DAY, resource_changes=changes)
    assert [(a.milestone, a.keys) for a in result.milestones] == [
        (Milestone.SIX_MONTHS_EXPENSES, 1)
    ]
    assert result.state.resources.keys == 1
    again = perform_activity(
        result.state, AT.SAVE_EXPENSES, today=DAY, achieved={Milestone.SIX_MONTHS_EXPENSES}
    )
    assert again.milestones == ()
    engines = perform_activity(state(), AT.REST, today=DAY, active_engines=2)
    assert [a.milestone for a in engines.milestones] == [Milestone.REDUCED_FRAGILITY]


def test_day_trackers() -> None:
    rest = perform_activity(state(), AT.REST, today=DAY)
    assert rest.state.last_activity_day == DAY
    assert rest.state.last_effort_activity_day is None
    assert rest.state.energy_spent_today == 0
    work = perform_activity(rest.state, AT.WORK_PROJECT, today=DAY)
    assert work.state.last_effort_activity_day == DAY
    assert work.state.energy_spent_today == 30
    assert work.day == DAY


def test_recovery_actions_are_counted_in_burnout() -> None:
    burnt = state(15, burnout_active=True, burnout_since=DAY)
    after = perform_activity(burnt, AT.REST, today=DAY).state
    after = perform_activity(after, AT.CUSTOM, today=DAY).state
    assert after.recovery_actions_since_burnout == 1
    not_burnt = perform_activity(state(), AT.EXERCISE, today=DAY).state
    assert not_burnt.recovery_actions_since_burnout == 0


def test_the_state_must_be_rolled_first() -> None:
    with pytest.raises(StateNotRolled) as refused:
        perform_activity(state(), AT.REST, today=date(2025, 3, 4))
    assert refused.value.code == "state_not_rolled"


def test_after_a_move_west_the_activity_counts_for_the_open_day() -> None:
    result = perform_activity(state(), AT.REST, today=date(2025, 3, 2))
    assert result.day == DAY
    assert result.state.last_activity_day == DAY


def test_clouds_are_not_changed_by_activities() -> None:
    assert perform_activity(state(), AT.EXERCISE, today=DAY).state.clouds == Clouds()
