"""Category balance: which XP categories lag far behind the others (GAME_RULES.md §5)."""

from __future__ import annotations

from dataclasses import dataclass

from lifeworld.game.ranks import category_level
from lifeworld.game.state import CATEGORIES, Category, CategoryXP

# "more than 10 levels below the mean of the five category levels"
BALANCE_GAP = 10

RECOMMENDATIONS: dict[Category, str] = {
    Category.CAPACITY: (
        "Log health, energy and resilience activities: exercise, rest, sleep well and learn "
        "something that restores you."
    ),
    Category.ENGINES: (
        "Work on your income: a work project, a raise conversation or a new income source."
    ),
    Category.OXYGEN: (
        "Strengthen cash flow: save toward your emergency fund and log what you put aside."
    ),
    Category.MEANING: (
        "Spend time on values and direction: write down what matters to you and act on one item."
    ),
    Category.OPTIONALITY: (
        "Build skills and assets: learn something marketable or start a small investment."
    ),
}


@dataclass(frozen=True, slots=True)
class BalanceWarning:
    category: Category
    level: int
    message: str
    recommendation: str


@dataclass(frozen=True, slots=True)
class BalanceReport:
    balanced: bool
    average_level: float
    warnings: list[BalanceWarning]


def category_levels(xp: CategoryXP) -> dict[Category, int]:
    """The level of each XP category."""
    return {c: category_level(xp.get(c)) for c in CATEGORIES}


def balance_report(xp: CategoryXP) -> BalanceReport:
    """Flag every category whose level is more than 10 below the mean of the five levels."""
    levels = category_levels(xp)
    total = sum(levels.values())
    mean = total / len(CATEGORIES)
    warnings: list[BalanceWarning] = []
    for category, level in levels.items():
        # mean − level > 10  ⇔  total − 5·level > 50, compared exactly in integers
        if total - len(CATEGORIES) * level > BALANCE_GAP * len(CATEGORIES):
            message = (
                f"{category.value.capitalize()} is at level {level}, more than {BALANCE_GAP} "
                f"levels below your average of {mean:.1f}."
            )
            warnings.append(BalanceWarning(category, level, message, RECOMMENDATIONS[category]))
    return BalanceReport(balanced=not warnings, average_level=mean, warnings=warnings)
