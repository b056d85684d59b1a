"""§15 rebalancing advice."""

from datetime import date
from decimal import Decimal

import pytest

from lifeworld.game.errors import InvalidTargets
from lifeworld.game.investments import InvestmentType
from lifeworld.game.rebalancing import (
    Action,
    Frequency,
    Level,
    Priority,
    RebalancingConfig,
    advise,
    recommended_mix,
)

D = Decimal
L, M, H = Level.LOW, Level.MEDIUM, Level.HIGH
TODAY = date(2025, 3, 1)


@pytest.mark.parametrize(
    ("years", "income", "tolerance", "discipline", "stocks"),
    [
        (30, M, M, M, 70),
        (30, H, H, H, 90),  # 95 → 90
        (70, L, L, L, 20),  # 30 − 10 − 15 − 10 = −5 → 20
        (40, H, L, M, 55),  # 60 + 10 − 15
        (100, M, M, M, 20),  # 0 → 20
        (50, L, H, L, 40),  # 50 − 10 + 10 − 10
        (1, M, M, M, 90),  # 99 → 90
        (60, M, M, H, 45),
    ],
)
def test_recommended_mix(
    years: int, income: Level, tolerance: Level, discipline: Level, stocks: int
) -> None:
    mix = recommended_mix(RebalancingConfig(years, income, tolerance, discipline))
    assert (mix.stocks_pct, mix.bonds_pct) == (D(stocks), D(100 - stocks))


def test_targets() -> None:
    holdings = [(InvestmentType.STOCKS, D(100))]
    config = RebalancingConfig(30, target_stocks_pct=D(60), target_bonds_pct=D(40))
    advice = advise(holdings, config, today=TODAY)
    assert (advice.target.stocks_pct, advice.recommended.stocks_pct) == (D(60), D(70))
    only_stocks = RebalancingConfig(30, target_stocks_pct=D(65))
    assert advise(holdings, only_stocks, today=TODAY).target.bonds_pct == 35
    with pytest.raises(InvalidTargets):
        advise(
            holdings,
            RebalancingConfig(30, target_stocks_pct=D(60), target_bonds_pct=D(50)),
            today=TODAY,
        )


PORTFOLIO = [
    (InvestmentType.STOCKS, D(6000)),
    (InvestmentType.HIGH_YIELD_SAVINGS, D(3000)),
    (InvestmentType.CASH, D(1000)),
    (InvestmentType.CRYPTO, D(500)),  # not part of either class
]
FIFTY_FIFTY = RebalancingConfig(30, target_stocks_pct=D(50), target_bonds_pct=D(50))


def test_status_and_recommendations() -> None:
    advice = advise(PORTFOLIO, FIFTY_FIFTY, today=TODAY)
    assert advice.total == D(10000)
    assert (advice.stocks.value, advice.stocks.share_pct, advice.stocks.drift) == (
        D(6000),
        D(60),
        D(10),
    )
    assert (advice.bonds.value, advice.bonds.share_pct, advice.bonds.drift) == (
        D(4000),
        D(40),
        D(-10),
    )
    assert advice.needs_rebalancing  # |10| > 5
    recs = [(r.asset_class, r.action, r.amount, r.priority) for r in advice.recommendations]
    # adjustment = target share × total − current: 5,000 − 6,000 = −1,000; 5,000 − 4,000 = +1,000
    assert recs == [
        ("stocks", Action.SELL, D(1000), Priority.HIGH),
        ("bonds", Action.BUY, D(1000), Priority.HIGH),
    ]


def test_contributions_turn_buying_into_contributing() -> None:
    advice = advise(PORTFOLIO, FIFTY_FIFTY, today=TODAY, contributions=D(200))
    assert [r.action for r in advice.recommendations] == [Action.SELL, Action.CONTRIBUTE]


@pytest.mark.parametrize(
    ("stocks", "priority", "amount"),
    [("5300", Priority.MEDIUM, "300"), ("5100", Priority.LOW, "100"), ("5020", Priority.LOW, "20")],
)
def test_priority(stocks: str, priority: Priority, amount: str) -> None:
    holdings = [(InvestmentType.STOCKS, D(stocks)), (InvestmentType.CASH, D(10000) - D(stocks))]
    recs = advise(holdings, FIFTY_FIFTY, today=TODAY).recommendations
    assert [(r.priority, r.amount) for r in recs] == [(priority, D(amount))] * 2


def test_no_action_for_drift_up_to_a_tenth_of_a_point() -> None:
    holdings = [(InvestmentType.STOCKS, D(5010)), (InvestmentType.CASH, D(4990))]
    advice = advise(holdings, FIFTY_FIFTY, today=TODAY)
    assert advice.stocks.drift == D("0.10")
    assert advice.recommendations == []
    assert not advice.needs_rebalancing


def test_threshold_is_exclusive() -> None:
    holdings = [(InvestmentType.STOCKS, D(5500)), (InvestmentType.CASH, D(4500))]
    assert not advise(holdings, FIFTY_FIFTY, today=TODAY).needs_rebalancing  # drift exactly 5
    holdings = [(InvestmentType.STOCKS, D(5501)), (InvestmentType.CASH, D(4499))]
    assert advise(holdings, FIFTY_FIFTY, today=TODAY).needs_rebalancing


@pytest.mark.parametrize(
    ("last", "today", "needed"),
    [
        (date(2024, 3, 1), date(2025, 2, 28), False),
        (date(2024, 3, 1), date(2025, 3, 1), True),
        (None, date(2025, 3, 1), True),
        (date(2024, 2, 29), date(2025, 2, 28), True),
        (date(2024, 2, 29), date(2025, 2, 27), False),
    ],
)
def test_annual(last: date | None, today: date, needed: bool) -> None:
    config = RebalancingConfig(30, frequency=Frequency.ANNUAL)
    holdings = [(InvestmentType.STOCKS, D(7000)), (InvestmentType.CASH, D(3000))]  # on target
    assert (
        advise(holdings, config, today=today, last_rebalanced_on=last).needs_rebalancing is needed
    )


def test_empty_portfolio() -> None:
    advice = advise([], FIFTY_FIFTY, today=TODAY)
    assert (advice.total, advice.stocks.drift, advice.needs_rebalancing) == (D(0), D(0), False)
    assert advice.recommendations == []


IT = InvestmentType


@pytest.mark.parametrize(
    ("holdings", "contributions", "expected"),
    [
        # too little in the safe part: buy high-yield savings, never "bonds"
        (
            [(IT.STOCKS, D(6000)), (IT.CASH, D(1000))],
            D(0),
            [(IT.STOCKS,), (IT.HIGH_YIELD_SAVINGS,)],
        ),
        # with gold to add, the contribution goes to the same kind
        ([(IT.STOCKS, D(6000))], D(500), [(IT.STOCKS,), (IT.HIGH_YIELD_SAVINGS,)]),
        # too much in the safe part: sell from what is held there, the larger holding first
        (
            [(IT.STOCKS, D(1000)), (IT.CASH, D(3000)), (IT.HIGH_YIELD_SAVINGS, D(2000))],
            D(0),
            [(IT.STOCKS,), (IT.CASH, IT.HIGH_YIELD_SAVINGS)],
        ),
        (
            [(IT.STOCKS, D(1000)), (IT.HIGH_YIELD_SAVINGS, D(5000))],
            D(0),
            [(IT.STOCKS,), (IT.HIGH_YIELD_SAVINGS,)],
        ),
    ],
)
def test_advice_names_only_kinds_a_player_can_buy(
    holdings: list[tuple[InvestmentType, Decimal]],
    contributions: Decimal,
    expected: list[tuple[InvestmentType, ...]],
) -> None:
    advice = advise(holdings, FIFTY_FIFTY, today=TODAY, contributions=contributions)
    assert [r.investment_types for r in advice.recommendations] == expected
