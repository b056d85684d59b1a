"""Loadout bodies and answers (API.md loadouts)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from lifeworld.game.loadouts import Slot
from lifeworld.schemas_common import Name80, Number, StrictIn

Name = Name80
ItemId = Annotated[str, Field(max_length=64)]


class ItemOut(BaseModel):
    id: str
    name: str
    slot: Slot
    power: int
    benefits: dict[str, Number | int]


class LoadoutIn(StrictIn):
    name: Name
    slots: dict[Slot, ItemId | None] = Field(default_factory=dict)


class LoadoutPatch(StrictIn):
    name: Name | None = None
    slots: dict[Slot, ItemId | None] | None = None


class LoadoutOut(BaseModel):
    id: int
    name: str
    preset: bool
    preset_id: str | None
    active: bool
    slots: dict[Slot, ItemOut | None]
    power: int
    benefits: dict[str, Number | int]
    created_at: datetime
