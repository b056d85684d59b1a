"""The plain data the rules work on: a player's state and its parts (GAME_RULES.md §1)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum


class Category(StrEnum):
    """The five clouds; XP categories carry the same names."""

    CAPACITY = "capacity"
    ENGINES = "engines"
    OXYGEN = "oxygen"
    MEANING = "meaning"
    OPTIONALITY = "optionality"


CATEGORIES: tuple[Category, ...] = tuple(Category)


class Season(StrEnum):
    SPRING = "SPRING"
    SUMMER = "SUMMER"
    AUTUMN = "AUTUMN"
    WINTER = "WINTER"


class ActivityType(StrEnum):
    WORK_PROJECT = "WORK_PROJECT"
    EXERCISE = "EXERCISE"
    SAVE_EXPENSES = "SAVE_EXPENSES"
    LEARNING = "LEARNING"
    REST = "REST"
    CUSTOM = "CUSTOM"


@dataclass(frozen=True, slots=True)
class Clouds:
    """Five integers 0–100."""

    capacity: int = 50
    engines: int = 50
    oxygen: int = 50
    meaning: int = 50
    optionality: int = 50

    def get(self, category: Category) -> int:
        return int(getattr(self, category.value))


@dataclass(frozen=True, slots=True)
class Resources:
    """oxygen: months of expenses covered (≥ 0); water 0–100; gold ≥ 0; armor 0–100; keys ≥ 0."""

    oxygen: Decimal = Decimal("0")
    water: Decimal = Decimal("50")
    gold: Decimal = Decimal("0")
    armor: int = 0
    keys: int = 0


@dataclass(frozen=True, slots=True)
class CategoryXP:
    capacity: int = 0
    engines: int = 0
    oxygen: int = 0
    meaning: int = 0
    optionality: int = 0

    def get(self, category: Category) -> int:
        return int(getattr(self, category.value))

    def as_dict(self) -> dict[str, int]:
        return {c.value: self.get(c) for c in CATEGORIES}

    def plus(self, other: CategoryXP) -> CategoryXP:
        return CategoryXP(**{c.value: self.get(c) + other.get(c) for c in CATEGORIES})


@dataclass(frozen=True, slots=True)
class XP:
    overall: int = 0
    categories: CategoryXP = field(default_factory=CategoryXP)


@dataclass(frozen=True, slots=True)
class PlayerState:
    """Everything the rules need about one player, as stored on the player's row.

    Days are the player's local "game days" (GAME_RULES.md §6): the local date on which the
    day began at the player's day-start hour.
    """

    clouds: Clouds
    resources: Resources
    energy: int
    season: Season
    season_started_on: date
    xp: XP
    created_day: date
    last_rolled_day: date
    last_weekly_eval_day: date
    burnout_active: bool = False
    burnout_since: date | None = None
    consecutive_high_effort_days: int = 0
    consecutive_low_capacity_days: int = 0
    recovery_actions_since_burnout: int = 0
    last_effort_activity_day: date | None = None  # last WORK_PROJECT, EXERCISE or LEARNING
    last_activity_day: date | None = None  # last activity of any kind
    energy_spent_today: int = 0  # energy charged for the current day's activities
    energy_restored_at: datetime | None = None  # start of the live drain (§11)
    questionnaire_done: bool = False

    @staticmethod
    def new(today: date, now: datetime | None = None) -> PlayerState:
        """A new account's starting state (GAME_RULES.md §1)."""
        return PlayerState(
            clouds=Clouds(),
            resources=Resources(),
            energy=100,
            season=Season.SPRING,
            season_started_on=today,
            xp=XP(),
            created_day=today,
            last_rolled_day=today,
            last_weekly_eval_day=today,
            energy_restored_at=now,
        )
