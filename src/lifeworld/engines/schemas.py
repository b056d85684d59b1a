"""Engine bodies and answers (API.md engines)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from lifeworld.activities.schemas import MilestoneGainedOut
from lifeworld.schemas_common import Name120, Number, StrictIn


class EngineType(StrEnum):
    CAREER = "CAREER"
    BUSINESS = "BUSINESS"
    INVESTMENT = "INVESTMENT"
    LEARNING = "LEARNING"


class EngineStatus(StrEnum):
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"
    PLANNING = "PLANNING"


Name = Name120
Fragility = Annotated[int, Field(ge=0, le=100)]
Output = Annotated[Decimal, Field(ge=0, le=100_000_000, max_digits=14, decimal_places=2)]
Description = Annotated[str, Field(max_length=1000)]


class EngineIn(StrictIn):
    type: EngineType
    name: Name
    description: Description | None = None
    fragility: Fragility = 50
    monthly_output: Output = Decimal(0)
    status: EngineStatus = EngineStatus.PLANNING


class EnginePatch(StrictIn):
    type: EngineType | None = None
    name: Name | None = None
    description: Description | None = None
    fragility: Fragility | None = None
    monthly_output: Output | None = None
    status: EngineStatus | None = None


class EngineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    type: EngineType
    name: str
    description: str | None
    fragility: int
    monthly_output: Number
    status: EngineStatus
    created_at: datetime
    updated_at: datetime


class EngineChangeOut(EngineOut):
    milestones: list[MilestoneGainedOut] = []
