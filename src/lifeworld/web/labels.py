"""Words people read for the game's codes (activity types, milestones, seasons …) and numbers.

Only naming and formatting: no rule is computed here.
"""

from __future__ import annotations

from decimal import Decimal

from lifeworld.game.ranks import RANKS, Rank
from lifeworld.web import formats

NARROW_NBSP = "\u202f"

ACTIVITY_LABELS = {
    "WORK_PROJECT": "Work",
    "EXERCISE": "Exercise",
    "LEARNING": "Learning",
    "SAVE_EXPENSES": "Save",
    "REST": "Rest",
    "CUSTOM": "Custom",
}
ACTIVITY_HINTS = {
    "WORK_PROJECT": "A focused block on a work project",
    "EXERCISE": "A workout, a run, a long walk",
    "LEARNING": "Study, a course, deliberate practice",
    "SAVE_EXPENSES": "Put money aside or cut a cost",
    "REST": "A real break: free, no XP, and it counts as recovery",
}
MILESTONE_LABELS = {
    "SIX_MONTHS_EXPENSES": "Six months of expenses covered",
    "ONE_YEAR_EXPENSES": "A year of expenses covered",
    "FIRST_ASSET": "First asset",
    "REDUCED_FRAGILITY": "Reduced fragility (two active engines)",
}
SEASON_MEANINGS = {
    "SPRING": "planning and preparation",
    "SUMMER": "peak output",
    "AUTUMN": "harvest and consolidation",
    "WINTER": "rest and recovery",
}
CLOUD_MEANINGS = {
    "capacity": "health, energy, resilience",
    "engines": "income sources",
    "oxygen": "cash-flow stability",
    "meaning": "values and direction",
    "optionality": "assets, skills, freedom",
}
# The cloud and the resource both called oxygen are told apart by name on every page.
CLOUD_LABELS = {
    "capacity": "Capacity",
    "engines": "Engines",
    "oxygen": "Oxygen cloud",
    "meaning": "Meaning",
    "optionality": "Optionality",
}
RESOURCE_LABELS = {
    "oxygen": "Oxygen (cash buffer)",
    "water": "Water",
    "gold": "Gold — savings",
    "armor": "Armor",
    "keys": "Keys",
}
RESOURCE_MEANINGS = {
    "oxygen": "months of expenses covered",
    "water": "health and vitality",
    "gold": "money put aside, and what it bought",
    "armor": "buffers and boundaries",
    "keys": "options unlocked",
}
INVESTMENT_LABELS = {
    "CRYPTO": "Crypto",
    "STOCKS": "Stocks",
    "CASH": "Cash",
    "HIGH_YIELD_SAVINGS": "High-yield savings",
}
# Rebalancing's two classes; the API's "bonds" is the safe part, which no kind is called.
ASSET_CLASS_LABELS = {
    "stocks": "Stocks",
    "bonds": "Safe part (cash and high-yield savings)",
}
BENEFIT_LABELS = {
    "xp_gain": "XP gain",
    "energy_cost_reduction": "Energy cost",
    "energy_efficiency": "Energy efficiency",
}
FRACTION_BENEFITS = frozenset(BENEFIT_LABELS)


def benefit_name(name: str) -> str:
    """A loadout benefit's name: its cloud stats are clouds (the oxygen cloud, not the buffer)."""
    return BENEFIT_LABELS.get(name) or CLOUD_LABELS.get(name) or label(name)


def label(value: object) -> str:
    """A code as words: WORK_PROJECT → Work, FIRST_ASSET → First asset, FOO_BAR → Foo bar."""
    text = str(getattr(value, "value", value))
    tables = (ACTIVITY_LABELS, MILESTONE_LABELS, BENEFIT_LABELS, RESOURCE_LABELS, INVESTMENT_LABELS)
    for table in tables:
        if text in table:
            return table[text]
    return text.replace("_", " ").capitalize()


money = formats.money
decimal = formats.decimal
signed = formats.signed


def benefit(name: str, value: Decimal | float | int) -> str:
    """A loadout benefit for people: fractions as percentages, stat points as +n."""
    if name in FRACTION_BENEFITS:
        pct = Decimal(str(value)) * 100
        return f"{'−' if name == 'energy_cost_reduction' else '+'}{formats.percent(pct)}"
    return signed(value)


def hours_minutes(hours: Decimal | float) -> str:
    """3.25 → 3 h 15 min; under an hour → 45 min."""
    minutes = int(Decimal(str(hours)) * 60)
    whole, rest = divmod(minutes, 60)
    if whole == 0:
        return f"{rest} min"
    return f"{whole} h {rest:02d} min" if rest else f"{whole} h"


def rank(name: str) -> Rank:
    """The rank called `name` (for the badge's colour tier)."""
    return Rank(name)


def next_rank(name: str) -> Rank | None:
    """The rank after `name` in the rank order, None at the top."""
    order = Rank(name).order
    return RANKS[order + 1] if order + 1 < len(RANKS) else None


def season_choice(value: str) -> tuple[str, str, str]:
    """A season as a radio choice: (value, name, what it is for)."""
    return value, value.title(), SEASON_MEANINGS[value].capitalize() + "."


def boost_choice(value: str) -> tuple[str, str]:
    """A boost kind as a select option."""
    return value, value.capitalize()


QUALITY_CHOICES = [
    (q, f"{q}{' (worst)' if q == 1 else ' (best)' if q == 10 else ''}") for q in range(1, 11)
]
