"""Rebalancing advice for the practice portfolio (GAME_RULES.md §15).

Shares and drifts are percentage points quantized to 0.01 (half away) before any comparison,
so what the page shows is what was decided on. An empty portfolio has no drift and needs no
rebalancing. ANNUAL needs rebalancing once a calendar year has passed since the last one
(29 February counts as 28 February the next year), or when it was never rebalanced.

The two classes are the rule book's "stocks" and "bonds"; no investment kind is called bonds,
so every recommendation names the kinds that carry it out: a purchase goes to STOCKS or to
HIGH_YIELD_SAVINGS (the safe part's kind that earns something), a sale comes from the kinds
held in the class, largest holding first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from lifeworld.game.errors import InvalidTargets
from lifeworld.game.investments import InvestmentType
from lifeworld.game.rounding import CENT, clamp, quantize

D = Decimal
HUNDRED = D(100)
MIN_DRIFT_FOR_ACTION = D("0.1")
DEFAULT_DRIFT_THRESHOLD = D(5)
# The kinds of investment that make up each class (docs/GAME_RULES.md §15), and the one to buy.
CLASS_KINDS: dict[str, tuple[InvestmentType, ...]] = {
    "stocks": (InvestmentType.STOCKS,),
    "bonds": (InvestmentType.HIGH_YIELD_SAVINGS, InvestmentType.CASH),
}
BUY_KIND: dict[str, InvestmentType] = {
    "stocks": InvestmentType.STOCKS,
    "bonds": InvestmentType.HIGH_YIELD_SAVINGS,
}


class Level(StrEnum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"


class Frequency(StrEnum):
    ANNUAL = "ANNUAL"
    THRESHOLD_BASED = "THRESHOLD_BASED"


class Action(StrEnum):
    BUY = "buy"
    SELL = "sell"
    CONTRIBUTE = "contribute"


class Priority(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


@dataclass(frozen=True, slots=True)
class RebalancingConfig:
    horizon_years: int  # 1–100
    income_stability: Level = Level.MEDIUM
    emotional_tolerance: Level = Level.MEDIUM
    decision_discipline: Level = Level.MEDIUM
    target_stocks_pct: Decimal | None = None
    target_bonds_pct: Decimal | None = None
    frequency: Frequency = Frequency.THRESHOLD_BASED
    drift_threshold: Decimal = DEFAULT_DRIFT_THRESHOLD  # points, 0–50


@dataclass(frozen=True, slots=True)
class Mix:
    stocks_pct: Decimal
    bonds_pct: Decimal


@dataclass(frozen=True, slots=True)
class ClassStatus:
    name: str  # "stocks" or "bonds"
    value: Decimal
    share_pct: Decimal
    target_pct: Decimal
    drift: Decimal  # share − target, in points


@dataclass(frozen=True, slots=True)
class Recommendation:
    asset_class: str
    action: Action
    amount: Decimal
    priority: Priority
    drift: Decimal
    # the kinds of investment to buy or sell, in order: none of them is ever called "bonds"
    investment_types: tuple[InvestmentType, ...] = ()


@dataclass(frozen=True, slots=True)
class RebalancingAdvice:
    recommended: Mix  # from the horizon and the three levels
    target: Mix  # the player's targets when set, else the recommended mix
    total: Decimal
    stocks: ClassStatus
    bonds: ClassStatus
    needs_rebalancing: bool
    recommendations: list[Recommendation]


_INCOME = {Level.HIGH: 10, Level.MEDIUM: 0, Level.LOW: -10}
_TOLERANCE = {Level.HIGH: 10, Level.MEDIUM: 0, Level.LOW: -15}
_DISCIPLINE = {Level.HIGH: 5, Level.MEDIUM: 0, Level.LOW: -10}


def recommended_mix(config: RebalancingConfig) -> Mix:
    """clamp(100 − years, 0, 100) adjusted by income, tolerance and discipline, then 20–90."""
    stocks = clamp(100 - config.horizon_years, 0, 100)
    stocks += _INCOME[config.income_stability] + _TOLERANCE[config.emotional_tolerance]
    stocks += _DISCIPLINE[config.decision_discipline]
    stocks = clamp(stocks, 20, 90)
    return Mix(D(stocks), D(100 - stocks))


def target_mix(config: RebalancingConfig) -> Mix:
    """The player's targets when set (they must sum to 100), else the recommended mix."""
    stocks, bonds = config.target_stocks_pct, config.target_bonds_pct
    if stocks is None and bonds is None:
        return recommended_mix(config)
    stocks = HUNDRED - D(bonds or 0) if stocks is None else D(stocks)
    bonds = HUNDRED - stocks if bonds is None else D(bonds)
    if stocks + bonds != HUNDRED or stocks < 0 or bonds < 0:
        raise InvalidTargets(stocks, bonds)
    return Mix(stocks, bonds)


def _one_year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def _priority(drift: Decimal) -> Priority:
    size = abs(drift)
    return Priority.HIGH if size > 5 else Priority.MEDIUM if size > 2 else Priority.LOW


def _status(name: str, value: Decimal, total: Decimal, target: Decimal) -> ClassStatus:
    share = quantize(value * HUNDRED / total, CENT) if total else D(0)
    drift = share - target if total else D(0)
    return ClassStatus(name, value, share, target, drift)


def advise(
    holdings: Iterable[tuple[InvestmentType, Decimal]],
    config: RebalancingConfig,
    *,
    today: date,
    last_rebalanced_on: date | None = None,
    contributions: Decimal = D(0),
) -> RebalancingAdvice:
    """Mix, status and per-class recommendations; `contributions` defaults to the player's gold."""
    target = target_mix(config)
    values = {kind: D(0) for kind in InvestmentType}
    for kind, value in holdings:
        values[kind] += D(value)
    stocks_value = sum((values[k] for k in CLASS_KINDS["stocks"]), D(0))
    bonds_value = sum((values[k] for k in CLASS_KINDS["bonds"]), D(0))
    total = stocks_value + bonds_value
    stocks = _status("stocks", stocks_value, total, target.stocks_pct)
    bonds = _status("bonds", bonds_value, total, target.bonds_pct)
    if config.frequency is Frequency.THRESHOLD_BASED:
        needs = (
            abs(stocks.drift) > config.drift_threshold or abs(bonds.drift) > config.drift_threshold
        )
    else:
        due = last_rebalanced_on is None or _one_year_after(last_rebalanced_on) <= today
        needs = bool(total) and due
    recommendations: list[Recommendation] = []
    for status in (stocks, bonds):
        if abs(status.drift) <= MIN_DRIFT_FOR_ACTION:
            continue
        adjustment = quantize(status.target_pct / HUNDRED * total - status.value, CENT)
        if adjustment < 0:
            action = Action.SELL
            held = [k for k in CLASS_KINDS[status.name] if values[k] > 0]
            kinds = tuple(sorted(held, key=lambda k: values[k], reverse=True))
        else:
            action = Action.CONTRIBUTE if contributions > 0 else Action.BUY
            kinds = (BUY_KIND[status.name],)
        recommendations.append(
            Recommendation(
                status.name, action, abs(adjustment), _priority(status.drift), status.drift, kinds
            )
        )
    return RebalancingAdvice(
        recommended_mix(config), target, total, stocks, bonds, needs, recommendations
    )
