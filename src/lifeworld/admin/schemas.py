"""Admin bodies and answers (API.md `PUT /api/v1/admin/players/{user_id}`)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, Field

from lifeworld.game.state import Season
from lifeworld.schemas_common import StrictIn

# The bounds of a player's figures, for the admin and for an import alike (portability/):
# beyond them a figure no play can reach, and later arithmetic on it misbehaves.
XP_MAX = 1_000_000_000
Cloud = Annotated[int, Field(ge=0, le=100)]
XPValue = Annotated[int, Field(ge=0, le=XP_MAX)]
Oxygen = Annotated[Decimal, Field(ge=0, le=1200, max_digits=10, decimal_places=4)]
Water = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)]
Gold = Annotated[Decimal, Field(ge=0, le=10**12, max_digits=16, decimal_places=2)]
Armor = Annotated[int, Field(ge=0, le=100)]
Keys = Annotated[int, Field(ge=0, le=1_000_000)]


class CloudsIn(StrictIn):
    capacity: Cloud | None = None
    engines: Cloud | None = None
    oxygen: Cloud | None = None
    meaning: Cloud | None = None
    optionality: Cloud | None = None


class ResourcesIn(StrictIn):
    oxygen: Oxygen | None = None
    water: Water | None = None
    gold: Gold | None = None
    armor: Armor | None = None
    keys: Keys | None = None


class CategoriesIn(StrictIn):
    capacity: XPValue | None = None
    engines: XPValue | None = None
    oxygen: XPValue | None = None
    meaning: XPValue | None = None
    optionality: XPValue | None = None


class XPIn(StrictIn):
    overall: XPValue | None = None
    categories: CategoriesIn | None = None


class AdminPlayerIn(StrictIn):
    clouds: CloudsIn | None = None
    resources: ResourcesIn | None = None
    xp: XPIn | None = None
    season: Season | None = None


class AuditEntryOut(BaseModel):
    id: int
    actor_id: int | None
    actor: str | None
    target_user_id: int | None
    target: str | None
    action: str
    changes: dict[str, Any]
    created_at: datetime
