"""The practice portfolio funded by gold (GAME_RULES.md §14)."""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum

from lifeworld.game.activities import add_xp
from lifeworld.game.capacity import energy_cap, usable_energy, xp_efficiency
from lifeworld.game.errors import GrowthAlreadyApplied, InsufficientEnergy, InsufficientGold
from lifeworld.game.milestones import Milestone, MilestoneAward, award_milestones
from lifeworld.game.rounding import CENT, floor_int, quantize, round_half_away
from lifeworld.game.state import CATEGORIES, XP, Category, CategoryXP, PlayerState

D = Decimal
INVESTMENT_ENERGY_COST = 20


class InvestmentType(StrEnum):
    CRYPTO = "CRYPTO"
    STOCKS = "STOCKS"
    CASH = "CASH"
    HIGH_YIELD_SAVINGS = "HIGH_YIELD_SAVINGS"


DEFAULT_YIELDS: dict[InvestmentType, Decimal] = {
    InvestmentType.CRYPTO: D(0),
    InvestmentType.STOCKS: D("7.0"),
    InvestmentType.CASH: D(0),
    InvestmentType.HIGH_YIELD_SAVINGS: D("4.5"),
}


def _weights(*values: str) -> dict[Category, Decimal]:
    return dict(zip(CATEGORIES, (D(v) for v in values), strict=True))


XP_WEIGHTS: dict[InvestmentType, dict[Category, Decimal]] = {
    InvestmentType.CRYPTO: _weights(".10", ".50", ".10", ".05", ".25"),
    InvestmentType.STOCKS: _weights(".15", ".45", ".25", ".05", ".10"),
    InvestmentType.CASH: _weights(".20", ".10", ".50", ".10", ".10"),
    InvestmentType.HIGH_YIELD_SAVINGS: _weights(".15", ".30", ".40", ".05", ".10"),
}


@dataclass(frozen=True, slots=True)
class InvestmentResult:
    state: PlayerState
    xp_gained: XP
    energy_cost: int
    milestones: tuple[MilestoneAward, ...]


def investment_xp_base(amount: Decimal) -> int:
    """floor(10 × log10(max(amount / 10, 1)) + 10).

    Decimal.log10 is correctly rounded to 28 digits and exact for powers of ten (amount 1,000 →
    exactly 30), so the floor never lands one below an integer the way float log10 can.
    """
    ratio = max(D(amount) / 10, D(1))
    return floor_int(10 * ratio.log10() + 10)


def investment_xp(amount: Decimal, kind: InvestmentType, capacity: int) -> XP:
    """The base split by the type's weights (rounded), × capacity XP efficiency (rounded)."""
    base, efficiency = investment_xp_base(amount), xp_efficiency(capacity)
    parts = {
        c.value: round_half_away(round_half_away(base * w) * efficiency)
        for c, w in XP_WEIGHTS[kind].items()
    }
    return XP(round_half_away(base * efficiency), CategoryXP(**parts))


def check_gold(state: PlayerState, amount: Decimal) -> None:
    """Refuse when the player's gold does not cover `amount`."""
    if state.resources.gold < amount:
        raise InsufficientGold(amount, state.resources.gold)


def create_investment(
    state: PlayerState,
    amount: Decimal,
    kind: InvestmentType,
    *,
    active_engines: int = 0,
    achieved: Set[Milestone] = frozenset(),
) -> InvestmentResult:
    """Fund an investment: gold −= amount, energy −= 20, XP added, milestones checked.

    Investing is not an activity, so it does not count toward a day's effort (§6 step 4).
    """
    amount = quantize(max(D(0), amount), CENT)
    check_gold(state, amount)
    usable = usable_energy(state.energy, energy_cap(state.clouds.capacity, state.burnout_active))
    if usable < INVESTMENT_ENERGY_COST:
        raise InsufficientEnergy(INVESTMENT_ENERGY_COST, usable)
    gained = investment_xp(amount, kind, state.clouds.capacity)
    funded = replace(
        state,
        energy=state.energy - INVESTMENT_ENERGY_COST,
        resources=replace(state.resources, gold=state.resources.gold - amount),
        xp=add_xp(state.xp, gained),
    )
    final, awards = award_milestones(funded, active_engines, achieved)
    return InvestmentResult(final, gained, INVESTMENT_ENERGY_COST, awards)


@dataclass(frozen=True, slots=True)
class PortfolioChange:
    """The state after a sale, top-up or growth step, and the milestones checked after it."""

    state: PlayerState
    milestones: tuple[MilestoneAward, ...]


def top_up(
    state: PlayerState,
    extra: Decimal,
    *,
    active_engines: int = 0,
    achieved: Set[Milestone] = frozenset(),
) -> PortfolioChange:
    """Charge the extra amount invested to gold; a top-up is a purchase, so milestones are
    checked after it (§8): it can lower gold only, but one reached earlier without a check (an
    admin's edit) is awarded here rather than waiting for the next activity."""
    extra = quantize(max(D(0), extra), CENT)
    check_gold(state, extra)
    charged = replace(state, resources=replace(state.resources, gold=state.resources.gold - extra))
    return PortfolioChange(*award_milestones(charged, active_engines, achieved))


def sell(
    state: PlayerState,
    value: Decimal,
    *,
    active_engines: int = 0,
    achieved: Set[Milestone] = frozenset(),
) -> PortfolioChange:
    """Selling credits the investment's current value to gold, then milestones are checked
    (§8): a sale that lifts gold from 0 above 0 awards FIRST_ASSET (+1 key), once."""
    gold = state.resources.gold + quantize(max(D(0), value), CENT)
    sold = replace(state, resources=replace(state.resources, gold=gold))
    return PortfolioChange(*award_milestones(sold, active_engines, achieved))


def after_growth(
    state: PlayerState, *, active_engines: int = 0, achieved: Set[Milestone] = frozenset()
) -> PortfolioChange:
    """Growth raises the investments' values only (§14), but milestones are checked after it
    too (§8): one reached without a check since (an admin's edit) is awarded then."""
    return PortfolioChange(*award_milestones(state, active_engines, achieved))


def monthly_growth(value: Decimal, yield_pct: Decimal) -> Decimal:
    """value × ((1 + yield/100)^(1/12) − 1), quantized to 0.01 (half away)."""
    monthly_factor = (1 + D(yield_pct) / 100) ** (D(1) / 12)
    return quantize(D(value) * (monthly_factor - 1), CENT)


def grown_value(value: Decimal, yield_pct: Decimal) -> Decimal:
    """The value after one monthly growth step."""
    return D(value) + monthly_growth(value, yield_pct)


def total_return(value: Decimal, invested: Decimal) -> Decimal:
    """Current value minus the amount invested."""
    return D(value) - D(invested)


def check_growth_allowed(last_growth_on: date | None, today: date) -> None:
    """Growth runs at most once per calendar month."""
    if last_growth_on is not None and (last_growth_on.year, last_growth_on.month) == (
        today.year,
        today.month,
    ):
        raise GrowthAlreadyApplied(f"{today.year:04d}-{today.month:02d}")
