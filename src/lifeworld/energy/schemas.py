"""Energy, sleep and boost bodies and answers (API.md energy, sleep, boosts)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field

from lifeworld.game.sleep import BoostKind
from lifeworld.schemas_common import IsoDate, IsoTime, Number, StrictIn


class BoostOut(BaseModel):
    id: int
    type: BoostKind
    amount: int
    duration_min: int
    decay_per_hour: Number
    started_at: dt.datetime
    expires_at: dt.datetime
    remaining: int
    active: bool


class EnergyStatusOut(BaseModel):
    stored: int
    usable: int
    cap: int
    live: int
    hours_until_empty: Number
    restored_at: dt.datetime | None
    burnout: bool
    boosts: list[BoostOut]


class SleepIn(StrictIn):
    date: IsoDate
    hours: Annotated[Decimal, Field(ge=0, le=24, max_digits=4, decimal_places=2)]
    quality: Annotated[int, Field(ge=1, le=10)]
    bed_time: IsoTime | None = None
    wake_time: IsoTime | None = None
    notes: Annotated[str, Field(max_length=1000)] | None = None


class SleepOut(BaseModel):
    id: int
    date: dt.date
    hours: Number
    quality: int
    quality_label: str
    bed_time: dt.time | None
    wake_time: dt.time | None
    notes: str | None
    restoration: int
    logged_at: dt.datetime


class SleepResultOut(BaseModel):
    sleep: SleepOut
    energy_restored: int
    energy: EnergyStatusOut


class BoostIn(StrictIn):
    type: BoostKind
    amount: Annotated[int, Field(ge=0, le=100)]
    duration_min: Annotated[int, Field(ge=1, le=24 * 60)]
    decay_per_hour: Annotated[Decimal, Field(ge=0, le=100, max_digits=6, decimal_places=2)]
