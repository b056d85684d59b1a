"""The dashboard state of API.md (`GET /api/v1/me/state`) and the questionnaire."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field

from lifeworld.accounts.schemas import UserOut
from lifeworld.game.questionnaire import Experience, Strength, StressManagement
from lifeworld.game.state import Season
from lifeworld.schemas_common import Number, StrictIn


class SeasonOut(BaseModel):
    name: Season
    started_on: date
    days_in_season: int


class CloudsOut(BaseModel):
    capacity: int
    engines: int
    oxygen: int
    meaning: int
    optionality: int


class ResourcesOut(BaseModel):
    oxygen: Number
    water: Number
    gold: Number
    armor: int
    keys: int


class EnergyOut(BaseModel):
    stored: int
    usable: int
    cap: int
    live: int
    hours_until_empty: Number
    restored_at: datetime | None
    empty_at: datetime | None  # when the live drain reaches 0 (None: not draining)


class CategoriesOut(BaseModel):
    capacity: int
    engines: int
    oxygen: int
    meaning: int
    optionality: int


class XPOut(BaseModel):
    overall: int
    categories: CategoriesOut
    category_levels: CategoriesOut


class RankOut(BaseModel):
    name: str
    level: int
    xp_for_next: int | None
    progress_pct: float


class BurnoutOut(BaseModel):
    active: bool
    since: date | None
    risk: str


class BalanceWarningOut(BaseModel):
    category: str
    level: int
    message: str
    recommendation: str


class BalanceOut(BaseModel):
    balanced: bool
    average_level: float
    warnings: list[BalanceWarningOut]


class LoadoutRefOut(BaseModel):
    id: int
    name: str


class DayOut(BaseModel):
    today: date
    next_day_at: datetime


class StateOut(BaseModel):
    user: UserOut
    season: SeasonOut
    clouds: CloudsOut
    resources: ResourcesOut
    energy: EnergyOut
    xp: XPOut
    rank: RankOut
    burnout: BurnoutOut
    balance: BalanceOut
    questionnaire_done: bool
    active_loadout: LoadoutRefOut | None
    day: DayOut
    version: int


class QuestionnaireIn(StrictIn):
    life_phase: Season
    months_saved: Annotated[Decimal, Field(ge=0, le=120, max_digits=6, decimal_places=2)]
    health: Strength
    income_sources: Annotated[int, Field(ge=1, le=10)]
    purpose: Strength
    options: Annotated[int, Field(ge=1, le=10)]
    stress: StressManagement
    experience: Experience


class MilestoneOut(BaseModel):
    type: str
    achieved_at: datetime
    keys: int
