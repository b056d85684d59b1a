"""The onboarding questionnaire: answers → starting clouds, resources, XP (GAME_RULES.md §10)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from lifeworld.game.errors import QuestionnaireAlreadyDone
from lifeworld.game.rounding import CENT, OXYGEN_QUANTUM, clamp, quantize, round_half_away
from lifeworld.game.state import (
    CATEGORIES,
    XP,
    Category,
    CategoryXP,
    Clouds,
    PlayerState,
    Resources,
    Season,
)


class Strength(StrEnum):
    """Health and purpose clarity answers."""

    WEAK = "weak"
    MEDIUM = "medium"
    STRONG = "strong"
    VERY_STRONG = "very_strong"


class StressManagement(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    VERY_HIGH = "very_high"


class Experience(StrEnum):
    BEGINNER = "beginner"
    SOME = "some"
    EXPERIENCED = "experienced"
    VERY_EXPERIENCED = "very_experienced"


HealthLevel = Strength
PurposeClarity = Strength

STRONG_ENOUGH = frozenset({Strength.STRONG, Strength.VERY_STRONG})
CAPACITY_FROM_HEALTH = dict(zip(Strength, (40, 60, 75, 90), strict=True))
WATER_FROM_HEALTH = dict(zip(Strength, (30, 50, 75, 90), strict=True))
MEANING_FROM_PURPOSE = dict(zip(Strength, (35, 55, 75, 90), strict=True))
ARMOR_FROM_STRESS = dict(zip(StressManagement, (20, 45, 70, 85), strict=True))
XP_FROM_EXPERIENCE = dict(zip(Experience, (0, 750, 1_750, 3_000), strict=True))
XP_WEIGHTS: dict[Category, Decimal] = dict(
    zip(CATEGORIES, (Decimal(w) for w in ("0.20", "0.25", "0.20", "0.15", "0.20")), strict=True)
)
STRONG_AREA, WEAK_AREA = Decimal("1.2"), Decimal("0.8")


@dataclass(frozen=True, slots=True)
class Answers:
    life_phase: Season
    months_saved: Decimal  # 0–120
    health: Strength
    income_sources: int  # 1–10
    purpose: Strength
    options: int  # 1–10
    stress: StressManagement
    experience: Experience


@dataclass(frozen=True, slots=True)
class QuestionnaireResult:
    season: Season
    season_started_on: date
    clouds: Clouds
    resources: Resources
    xp: XP
    energy: int


def _engines(sources: int) -> int:
    return {1: 40, 2: 60, 3: 75}.get(sources, 85)


def _oxygen_cloud(months: Decimal) -> int:
    return 30 if months <= 1 else 50 if months <= 3 else 70 if months <= 6 else 85


def _optionality(options: int) -> int:
    return 30 if options <= 1 else 50 if options <= 3 else 70 if options <= 5 else 85


def scale_down(parts: dict[Category, int], total: int) -> dict[Category, int]:
    """Scale parts proportionally so they sum to exactly `total` (largest-remainder rounding).

    Each part becomes floor(part × total / sum); the units still missing go one each to the
    parts with the largest remainders, ties in category order. The sum is then exactly `total`,
    never more, which plain rounding of every part could not promise (e.g. two halves).
    """
    current = sum(parts.values())
    exact = {c: Fraction(v * total, current) for c, v in parts.items()}
    scaled = {c: int(x) for c, x in exact.items()}  # exact values are ≥ 0, so int() is floor
    missing = total - sum(scaled.values())
    by_remainder = sorted(parts, key=lambda c: (-(exact[c] - scaled[c]), CATEGORIES.index(c)))
    for category in by_remainder[:missing]:
        scaled[category] += 1
    return scaled


def starting_xp(answers: Answers, months: Decimal, sources: int, options: int) -> XP:
    """Overall XP from experience; category XP from weights, × 1.2 in strong areas, else 0.8."""
    overall = XP_FROM_EXPERIENCE[answers.experience]
    strong = {
        Category.CAPACITY: answers.health in STRONG_ENOUGH,
        Category.ENGINES: sources >= 2,
        Category.OXYGEN: months >= 3,
        Category.MEANING: answers.purpose in STRONG_ENOUGH,
        Category.OPTIONALITY: options >= 3,
    }
    parts = {
        c: round_half_away(overall * XP_WEIGHTS[c] * (STRONG_AREA if strong[c] else WEAK_AREA))
        for c in CATEGORIES
    }
    if sum(parts.values()) > overall:
        parts = scale_down(parts, overall)
    return XP(overall, CategoryXP(**{c.value: v for c, v in parts.items()}))


def evaluate(answers: Answers, today: date) -> QuestionnaireResult:
    """The starting position the answers give; out-of-range answers are clamped first."""
    months = quantize(min(Decimal(120), max(Decimal(0), answers.months_saved)), OXYGEN_QUANTUM)
    sources, options = clamp(answers.income_sources, 1, 10), clamp(answers.options, 1, 10)
    clouds = Clouds(
        capacity=CAPACITY_FROM_HEALTH[answers.health],
        engines=_engines(sources),
        oxygen=_oxygen_cloud(months),
        meaning=MEANING_FROM_PURPOSE[answers.purpose],
        optionality=_optionality(options),
    )
    resources = Resources(
        oxygen=months,
        water=Decimal(WATER_FROM_HEALTH[answers.health]),
        gold=quantize(max(Decimal(0), months * 1000 + (sources - 1) * 500), CENT),
        armor=ARMOR_FROM_STRESS[answers.stress],
        keys=int(options >= 3) + int(options >= 5) + int(answers.purpose in STRONG_ENOUGH),
    )
    xp = starting_xp(answers, months, sources, options)
    return QuestionnaireResult(answers.life_phase, today, clouds, resources, xp, energy=100)


def apply_questionnaire(state: PlayerState, answers: Answers, *, today: date) -> PlayerState:
    """Set the player's starting position from the answers, once per player."""
    if state.questionnaire_done:
        raise QuestionnaireAlreadyDone()
    result = evaluate(answers, today)
    return replace(
        state,
        clouds=result.clouds,
        resources=result.resources,
        xp=result.xp,
        energy=result.energy,
        season=result.season,
        season_started_on=result.season_started_on,
        questionnaire_done=True,
    )
