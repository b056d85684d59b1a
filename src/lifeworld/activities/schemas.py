"""Activity bodies and answers (API.md `POST /api/v1/me/activities`)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, BeforeValidator, Field, model_validator
from pydantic_core import PydanticCustomError

from lifeworld.game.state import ActivityType, Season
from lifeworld.players.schemas import CategoriesOut, StateOut
from lifeworld.schemas_common import Number, StrictIn

XPAmount = Annotated[int, Field(ge=0, le=5_000)]


class CustomCategoriesIn(StrictIn):
    capacity: XPAmount = 0
    engines: XPAmount = 0
    oxygen: XPAmount = 0
    meaning: XPAmount = 0
    optionality: XPAmount = 0


class CustomXPIn(StrictIn):
    overall: XPAmount = 0
    categories: CustomCategoriesIn = Field(default_factory=CustomCategoriesIn)


class ResourceChangesIn(StrictIn):
    """Changes an activity brings: oxygen, gold and keys are added, water and armor set (§4)."""

    oxygen: Annotated[Decimal, Field(ge=-24, le=24, max_digits=8, decimal_places=4)] | None = None
    water: Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)] | None = None
    gold: (
        Annotated[Decimal, Field(ge=-1_000_000, le=1_000_000, max_digits=12, decimal_places=2)]
        | None
    ) = None
    armor: Annotated[int, Field(ge=0, le=100)] | None = None
    keys: Annotated[int, Field(ge=-10, le=10)] | None = None


def _iso_text(value: object) -> object:
    """Only ISO 8601 text: pydantic would also read a number as Unix seconds."""
    if not isinstance(value, str):
        raise PydanticCustomError(
            "iso_datetime", "Use an ISO 8601 time with an offset, e.g. 2026-03-02T09:30:00+01:00."
        )
    return value


class ActivityIn(StrictIn):
    type: ActivityType
    description: Annotated[str, Field(max_length=500)] | None = None
    custom_xp: CustomXPIn | None = None
    resource_changes: ResourceChangesIn | None = None
    # When it happened, if not now (an entry queued offline); ISO 8601 with an offset.
    occurred_at: Annotated[AwareDatetime, BeforeValidator(_iso_text)] | None = None

    @model_validator(mode="after")
    def _custom_xp_only_for_custom(self) -> ActivityIn:
        if self.custom_xp is not None and self.type is not ActivityType.CUSTOM:
            raise ValueError("custom_xp is only for CUSTOM activities")
        return self


class XPGainedOut(BaseModel):
    overall: int
    categories: CategoriesOut


class MultipliersOut(BaseModel):
    season: Number
    capacity: Number
    loadout: Number
    burnout: Number


class ActivityOut(BaseModel):
    id: int | None  # None in a preview
    type: ActivityType
    description: str | None
    occurred_at: datetime
    late: bool  # arrived after its day had closed: recorded at arrival, on the day after
    day: str
    energy_used: int
    xp_gained: XPGainedOut
    season: Season
    multipliers: MultipliersOut
    resource_changes: dict[str, Number | int]
    is_recovery: bool
    source: str


class MilestoneGainedOut(BaseModel):
    type: str
    keys: int


class ActivityResultOut(BaseModel):
    activity: ActivityOut
    milestones: list[MilestoneGainedOut]
    keys_gained: int
    is_recovery: bool
    energy_left: int
    state: StateOut


class ActivityPageOut(BaseModel):
    items: list[ActivityOut]
    next: str | None


class DayTotalOut(BaseModel):
    """What one game day's activities added up to (the charts' data)."""

    day: date
    xp: int
    energy: int
    count: int


class QuickPreviewOut(BaseModel):
    """A one-tap activity as it would go now: its cost and XP, or why it would be refused."""

    type: ActivityType
    energy_cost: int
    xp: int | None
    code: str | None
    message: str | None
