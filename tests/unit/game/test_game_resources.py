"""§4 resource changes and §8 milestones."""

from decimal import Decimal

import pytest

from lifeworld.game.milestones import Milestone, newly_reached
from lifeworld.game.resources import ResourceChanges, apply_changes, apply_reward, scale_changes
from lifeworld.game.state import Resources

D = Decimal


def test_added_and_set_resources() -> None:
    start = Resources(oxygen=D(2), water=D(50), gold=D(100), armor=30, keys=2)
    after = apply_changes(
        start, ResourceChanges(oxygen=D("0.5"), water=D(70), gold=D(25), armor=60, keys=1)
    )
    assert after == Resources(oxygen=D("2.5"), water=D(70), gold=D(125), armor=60, keys=3)


def test_added_resources_never_go_below_zero() -> None:
    start = Resources(oxygen=D(1), gold=D(10), keys=1)
    after = apply_changes(start, ResourceChanges(oxygen=D(-3), gold=D(-50), keys=-4))
    assert (after.oxygen, after.gold, after.keys) == (D(0), D(0), 0)
    # 0 with the places the database keeps, the same as the value read back from it
    assert (str(after.oxygen), str(after.gold)) == ("0.0000", "0.00")


def test_set_resources_are_clamped() -> None:
    high = apply_changes(Resources(), ResourceChanges(water=D(150), armor=130))
    low = apply_changes(Resources(), ResourceChanges(water=D(-5), armor=-1))
    assert (high.water, high.armor) == (D(100), 100)
    assert (low.water, low.armor) == (D(0), 0)


def test_missing_changes_leave_resources_alone() -> None:
    start = Resources(oxygen=D(3), water=D(12), gold=D(7), armor=9, keys=4)
    assert apply_changes(start, ResourceChanges()) == start


def test_quantization() -> None:
    scaled = scale_changes(ResourceChanges(gold=D("10.005"), oxygen=D("0.00005")), capacity=50)
    assert scaled.gold == D("10.01")
    assert scaled.oxygen == D("0.0001")


@pytest.mark.parametrize(
    ("capacity", "gold", "armor", "keys"),
    [
        (10, "60", 27, 1),  # × 0.60: armor 27, keys 1.2 → 1
        (30, "90", 41, 2),  # × 0.90: armor 40.5 → 41, keys 1.8 → 2
        (50, "100", 45, 2),
        (80, "105", 47, 2),  # × 1.05: armor 47.25 → 47, keys 2.1 → 2
        (95, "110", 50, 2),  # × 1.10: armor 49.5 → 50, keys 2.2 → 2
    ],
)
def test_reward_efficiency(capacity: int, gold: str, armor: int, keys: int) -> None:
    scaled = scale_changes(ResourceChanges(gold=D(100), armor=45, keys=2), capacity)
    assert (scaled.gold, scaled.armor, scaled.keys) == (D(gold), armor, keys)


def test_apply_reward_reports_what_really_changed() -> None:
    start = Resources(oxygen=D("0.5"), gold=D(10))
    after, applied = apply_reward(start, ResourceChanges(oxygen=D(-2), water=D(200)), capacity=50)
    assert after.oxygen == 0
    assert applied.oxygen == D("-0.5")  # only what there was to lose
    assert applied.water == D(100)
    assert applied.gold is None


@pytest.mark.parametrize(
    ("oxygen", "gold", "engines", "expected"),
    [
        ("5.9999", "0", 1, []),
        ("6", "0", 0, [Milestone.SIX_MONTHS_EXPENSES]),
        ("11.99", "0", 0, [Milestone.SIX_MONTHS_EXPENSES]),
        ("12", "0", 0, [Milestone.SIX_MONTHS_EXPENSES, Milestone.ONE_YEAR_EXPENSES]),
        ("0", "0.01", 0, [Milestone.FIRST_ASSET]),
        ("0", "0", 2, [Milestone.REDUCED_FRAGILITY]),
    ],
)
def test_milestones(oxygen: str, gold: str, engines: int, expected: list[Milestone]) -> None:
    awards = newly_reached(Resources(oxygen=D(oxygen), gold=D(gold)), engines, set())
    assert [a.milestone for a in awards] == expected


def test_milestone_keys_and_once_only() -> None:
    rich = Resources(oxygen=D(12), gold=D(1))
    awards = newly_reached(rich, 3, set())
    assert {a.milestone: a.keys for a in awards} == {
        Milestone.SIX_MONTHS_EXPENSES: 1,
        Milestone.ONE_YEAR_EXPENSES: 2,
        Milestone.FIRST_ASSET: 1,
        Milestone.REDUCED_FRAGILITY: 1,
    }
    assert newly_reached(rich, 3, set(Milestone)) == ()
    three = {Milestone.SIX_MONTHS_EXPENSES, Milestone.FIRST_ASSET, Milestone.REDUCED_FRAGILITY}
    assert [a.milestone for a in newly_reached(rich, 3, three)] == [Milestone.ONE_YEAR_EXPENSES]
