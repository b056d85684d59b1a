"""The export document, version 1 (docs/EXPORT_FORMAT.md): everything one player owns.

Lists come in a stable order and exact decimals are strings, so two exports of the same data
are byte-identical. No database ids appear: training completions point at their activity by
its position in `activities`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, Strict, StrictInt, field_validator

from lifeworld.admin import schemas as admin
from lifeworld.engines.schemas import EngineStatus, EngineType
from lifeworld.game.investments import InvestmentType
from lifeworld.game.loadouts import Slot
from lifeworld.game.milestones import Milestone
from lifeworld.game.rebalancing import Frequency, Level
from lifeworld.game.sleep import BoostKind
from lifeworld.game.state import ActivityType, Season
from lifeworld.places import schemas as places
from lifeworld.players.schemas import QuestionnaireIn
from lifeworld.portability.types import (
    AS_TEXT,
    INT32,
    INT64,
    Count,
    Day,
    Dec6_3,
    Dec8_2,
    Dec14_2,
    Dec16_2,
    Doc,
    Drift,
    Flag,
    Hours,
    Instant,
    Name120,
    Percent,
    Rating,
    ResourceChanges,
    ResourceSnapshot,
    Signed16_2,
    Text32,
    Text40,
    Text64,
    Text80,
    Text80Any,
    Text120,
    Text200,
    Text300,
    Text500,
    Text1000,
    Text2000,
    Yield,
    no_nul,
    sorted_json,
)
from lifeworld.schemas_common import IsoTime
from lifeworld.timezones import validate_timezone

FORMAT = "lifeworld-export"
VERSION = 1


class AccountDoc(Doc):
    display_name: Text80
    timezone: Annotated[Text64, AfterValidator(validate_timezone)]
    day_start_hour: Annotated[StrictInt, Field(ge=0, le=23)]


# A player's figures within the admin's bounds (admin/schemas.py), strict and written as the
# export writes them: an import sets nothing an admin could not.
CloudValue = Annotated[admin.Cloud, Strict()]
PlayerXP = Annotated[admin.XPValue, Strict()]


class CloudsDoc(Doc):
    capacity: CloudValue
    engines: CloudValue
    oxygen: CloudValue
    meaning: CloudValue
    optionality: CloudValue


class ResourcesDoc(Doc):
    oxygen: Annotated[admin.Oxygen, AS_TEXT]
    water: Annotated[admin.Water, AS_TEXT]
    gold: Annotated[admin.Gold, AS_TEXT]
    armor: Annotated[admin.Armor, Strict()]
    keys: Annotated[admin.Keys, Strict()]


class CategoriesDoc(Doc):
    capacity: PlayerXP
    engines: PlayerXP
    oxygen: PlayerXP
    meaning: PlayerXP
    optionality: PlayerXP


class XPDoc(Doc):
    overall: PlayerXP
    categories: CategoriesDoc


class PlayerDoc(Doc):
    clouds: CloudsDoc
    resources: ResourcesDoc
    energy: Annotated[StrictInt, Field(ge=0, le=110)]
    season: Season
    season_started_on: Day
    xp: XPDoc
    created_day: Day
    last_rolled_day: Day
    last_weekly_eval_day: Day
    burnout_active: Flag
    burnout_since: Day | None
    consecutive_high_effort_days: Count
    consecutive_low_capacity_days: Count
    recovery_actions_since_burnout: Count
    last_effort_activity_day: Day | None
    last_activity_day: Day | None
    energy_spent_today: Count
    energy_restored_at: Instant | None
    questionnaire_done: Flag


class QuestionnaireDoc(Doc):
    answers: dict[str, Any]
    completed_at: Instant

    @field_validator("answers")
    @classmethod
    def _valid_answers(cls, value: dict[str, Any]) -> dict[str, Any]:
        QuestionnaireIn.model_validate(value)
        return dict(sorted_json(value))


class ActivityXPDoc(Doc):
    overall: Count
    categories: Annotated[dict[str, Count], AfterValidator(lambda v: _categories(v))]


def _categories(value: dict[str, int]) -> dict[str, int]:
    names = ("capacity", "engines", "oxygen", "meaning", "optionality")
    if set(value) != set(names):
        raise ValueError("the five categories are needed: " + ", ".join(names))
    return {name: value[name] for name in names}


class MultipliersDoc(Doc):
    season: Dec6_3
    capacity: Dec6_3
    loadout: Dec6_3
    burnout: Dec6_3


class ActivityDoc(Doc):
    type: ActivityType
    description: Text500 | None
    occurred_at: Instant
    day: Day
    energy_used: Count
    xp: ActivityXPDoc
    season: Season
    multipliers: MultipliersDoc
    resource_changes: ResourceChanges
    is_recovery: Flag
    source: Literal["activity", "training"]
    late: Flag = False  # arrived after its day closed (docs/OFFLINE.md); written only when true


class SeasonDoc(Doc):
    season: Season
    started_on: Day
    ended_on: Day
    reason: Text300 | None
    resources_at_end: ResourceSnapshot
    recorded_at: Instant


class EngineDoc(Doc):
    type: EngineType
    name: Name120
    description: Text1000 | None
    fragility: Percent
    monthly_output: Dec14_2
    status: EngineStatus
    created_at: Instant
    updated_at: Instant


class SleepDoc(Doc):
    date: Day
    hours: Hours
    quality: Annotated[StrictInt, Field(ge=1, le=10)]
    bed_time: IsoTime | None
    wake_time: IsoTime | None
    notes: Text1000 | None
    restored: Count
    logged_at: Instant


class BoostDoc(Doc):
    type: BoostKind
    amount: Count
    duration_min: Count
    decay_per_hour: Dec8_2
    started_at: Instant


class CompletionDoc(Doc):
    task_id: Text64
    completed_at: Instant
    notes: Text2000 | None
    xp_gained: Count
    activity: Annotated[StrictInt, Field(ge=0, le=INT64)] | None  # position in `activities`


class LoadoutDoc(Doc):
    name: Text80
    preset_id: Text32 | None
    active: Flag
    slots: dict[Slot, Text64]
    created_at: Instant

    @field_validator("slots")
    @classmethod
    def _slot_order(cls, value: dict[Slot, str]) -> dict[Slot, str]:
        return {slot: value[slot] for slot in Slot if slot in value}


class InvestmentDoc(Doc):
    type: InvestmentType
    name: Name120
    amount_invested: Dec16_2
    current_value: Dec16_2
    expected_yield: Yield
    created_at: Instant
    updated_at: Instant


class GrowthDoc(Doc):
    month: Day
    applied_at: Instant
    total_growth: Signed16_2


class RebalancingDoc(Doc):
    horizon_years: Annotated[StrictInt, Field(ge=1, le=100)]
    income_stability: Level
    emotional_tolerance: Level
    decision_discipline: Level
    target_stocks: Percent | None
    target_bonds: Percent | None
    frequency: Frequency
    drift_threshold: Drift
    last_rebalanced_on: Day | None
    updated_at: Instant


class MilestoneDoc(Doc):
    type: Milestone
    keys: Annotated[StrictInt, Field(ge=0, le=INT32)]
    achieved_at: Instant


class SavedPlaceDoc(Doc):
    """A saved place, checked as the places API checks one (places/schemas.py)."""

    place_id: Annotated[places.PlaceId, AfterValidator(no_nul)]
    name: Text200
    category: Text40
    city: Text120
    country: Text80Any
    lat: Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)] | None
    lon: Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)] | None
    rating: Rating | None
    website: Annotated[places.Website, AfterValidator(no_nul)] | None
    notes: Annotated[places.PlaceNotes, AfterValidator(no_nul)] | None
    favorite: Flag
    created_at: Instant


class ExportDocument(Doc):
    """Everything one player owns, in the order the format fixes."""

    format: Literal["lifeworld-export"]
    version: Literal[1]
    account: AccountDoc
    player: PlayerDoc
    questionnaire: QuestionnaireDoc | None
    activities: list[ActivityDoc]
    seasons: list[SeasonDoc]
    engines: list[EngineDoc]
    sleep_logs: list[SleepDoc]
    boosts: list[BoostDoc]
    training_completions: list[CompletionDoc]
    loadouts: list[LoadoutDoc]
    investments: list[InvestmentDoc]
    investment_growth: list[GrowthDoc]
    rebalancing: RebalancingDoc | None
    milestones: list[MilestoneDoc]
    saved_places: list[SavedPlaceDoc]


class ImportOut(Doc):
    """What an import wrote, counted per part of the document."""

    imported: dict[str, int]
