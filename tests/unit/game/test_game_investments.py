"""§14 investments: XP, funding from gold, monthly growth once per month."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from lifeworld.game.errors import GrowthAlreadyApplied, InsufficientEnergy, InsufficientGold
from lifeworld.game.investments import (
    DEFAULT_YIELDS,
    InvestmentType,
    after_growth,
    check_growth_allowed,
    create_investment,
    grown_value,
    investment_xp,
    investment_xp_base,
    monthly_growth,
    sell,
    top_up,
    total_return,
)
from lifeworld.game.milestones import Milestone
from lifeworld.game.state import XP, CategoryXP, Clouds, PlayerState, Resources

D = Decimal
IT = InvestmentType


def player(gold: str = "1000", energy: int = 100, capacity: int = 50) -> PlayerState:
    base = PlayerState.new(date(2025, 1, 1))
    return replace(
        base, resources=Resources(gold=D(gold)), energy=energy, clouds=Clouds(capacity=capacity)
    )


def test_default_yields() -> None:
    assert {
        IT.CRYPTO: 0,
        IT.STOCKS: D("7.0"),
        IT.CASH: 0,
        IT.HIGH_YIELD_SAVINGS: D("4.5"),
    } == DEFAULT_YIELDS


@pytest.mark.parametrize(
    ("amount", "base"),
    [
        ("0", 10),
        ("10", 10),
        ("50", 16),  # 10 × log10(5) = 6.99
        ("100", 20),
        ("500", 26),
        ("99.99", 19),  # 19.9996: just under 20
        ("1000", 30),  # exactly 30, not 29.999…
        ("31.62", 14),  # 14.9996
        ("31.63", 15),
        ("1000000", 60),
    ],
)
def test_xp_base(amount: str, base: int) -> None:
    assert investment_xp_base(D(amount)) == base


@pytest.mark.parametrize(
    ("amount", "kind", "capacity", "gained"),
    [
        # base 30: .15 → 4.5 → 5; .45 → 13.5 → 14; .25 → 7.5 → 8; .05 → 1.5 → 2; .10 → 3
        ("1000", IT.STOCKS, 50, XP(30, CategoryXP(5, 14, 8, 2, 3))),
        # base 20 × 1.15: .1 → 2 → 2.3 → 2; .5 → 10 → 11.5 → 12; .05 → 1 → 1; .25 → 5 → 5.75 → 6
        ("100", IT.CRYPTO, 90, XP(23, CategoryXP(2, 12, 2, 1, 6))),
        # base 30 × 0.6: .2 → 6 → 3.6 → 4; .1 → 3 → 1.8 → 2; .5 → 15 → 9
        ("1000", IT.CASH, 10, XP(18, CategoryXP(4, 2, 9, 2, 2))),
        # base 40: .15 → 6; .30 → 12; .40 → 16; .05 → 2; .10 → 4
        ("10000", IT.HIGH_YIELD_SAVINGS, 50, XP(40, CategoryXP(6, 12, 16, 2, 4))),
    ],
)
def test_investment_xp(amount: str, kind: IT, capacity: int, gained: XP) -> None:
    assert investment_xp(D(amount), kind, capacity) == gained


def test_create_investment() -> None:
    result = create_investment(player(), D(400), IT.STOCKS)
    assert result.state.resources.gold == D(600)
    assert result.state.energy == 80
    assert result.state.xp == result.xp_gained
    assert result.xp_gained.overall == 26  # floor(10 × log10(40) + 10) = floor(26.02)
    assert [a.milestone for a in result.milestones] == [Milestone.FIRST_ASSET]  # gold 600 > 0
    spent_all = create_investment(player(), D(1000), IT.CASH, achieved=set())
    assert spent_all.milestones == ()  # gold 0: no asset left


def test_create_refusals() -> None:
    with pytest.raises(InsufficientGold) as poor:
        create_investment(player("500"), D(600), IT.STOCKS)
    assert poor.value.code == "insufficient_gold"
    with pytest.raises(InsufficientEnergy):
        create_investment(player(energy=19), D(10), IT.STOCKS)


@pytest.mark.parametrize(
    ("value", "yield_pct", "growth"),
    [
        ("1000", "7", "5.65"),  # 1000 × (1.07^(1/12) − 1) = 5.654
        ("1000", "4.5", "3.67"),  # 3.6748
        ("1000", "100", "59.46"),  # 2^(1/12) = 1.059463
        ("1000", "0", "0.00"),
        ("12345.67", "7", "69.80"),  # 69.804
        ("250", "4.5", "0.92"),  # 0.9187
    ],
)
def test_monthly_growth(value: str, yield_pct: str, growth: str) -> None:
    assert monthly_growth(D(value), D(yield_pct)) == D(growth)
    assert grown_value(D(value), D(yield_pct)) == D(value) + D(growth)


def test_growth_once_per_calendar_month() -> None:
    check_growth_allowed(None, date(2025, 3, 31))
    check_growth_allowed(date(2025, 2, 28), date(2025, 3, 1))
    check_growth_allowed(date(2024, 3, 15), date(2025, 3, 1))  # same month, another year
    with pytest.raises(GrowthAlreadyApplied) as again:
        check_growth_allowed(date(2025, 3, 1), date(2025, 3, 31))
    assert again.value.code == "growth_already_applied"


def test_top_up_sell_and_return() -> None:
    assert top_up(player("100"), D(40)).state.resources.gold == D(60)
    with pytest.raises(InsufficientGold):
        top_up(player("100"), D("100.01"))
    assert sell(player("100"), D("1005.65")).state.resources.gold == D("1105.65")
    assert total_return(D("1005.65"), D(1000)) == D("5.65")


def test_milestones_are_checked_after_a_sale() -> None:
    """§8: milestones are checked after an investment sale: selling back 1,000 gold lifts gold
    from 0 to 1,000 (> 0), which awards FIRST_ASSET with +1 key, once."""
    spent = player("0")
    sold = sell(spent, D(1000))
    assert sold.state.resources.gold == D(1000)
    assert [(a.milestone, a.keys) for a in sold.milestones] == [(Milestone.FIRST_ASSET, 1)]
    assert sold.state.resources.keys == 1
    again = sell(sold.state, D(5), achieved={Milestone.FIRST_ASSET})
    assert again.milestones == ()  # each milestone is awarded once
    assert again.state.resources.keys == 1


def test_milestones_are_checked_after_growth() -> None:
    """§8: milestones are checked after growth too. Growth changes no resource (§14), so what it
    can award is a milestone reached without a check since: here oxygen 6 and gold 10 that an
    admin set (§17 sets resources without a check) → SIX_MONTHS_EXPENSES (+1) and FIRST_ASSET
    (+1), and REDUCED_FRAGILITY (+1) for 2 ACTIVE engines."""
    admin_set = replace(player("10"), resources=Resources(oxygen=D(6), gold=D(10)))
    grown = after_growth(admin_set, active_engines=2)
    assert [(a.milestone, a.keys) for a in grown.milestones] == [
        (Milestone.SIX_MONTHS_EXPENSES, 1),
        (Milestone.FIRST_ASSET, 1),
        (Milestone.REDUCED_FRAGILITY, 1),
    ]
    assert grown.state.resources.keys == 3
    assert grown.state.resources.gold == D(10)  # growth itself never touches gold
    achieved = {a.milestone for a in grown.milestones}
    assert after_growth(grown.state, active_engines=2, achieved=achieved).milestones == ()
