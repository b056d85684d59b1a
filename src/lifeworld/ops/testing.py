"""PUT /api/v1/testing/clock: move the app's clock (exists only with LIFEWORLD_ENV=test)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import AwareDatetime, BaseModel, field_validator

from lifeworld.clock import clock
from lifeworld.schemas_common import StrictIn

router = APIRouter(prefix="/api/v1/testing", tags=["testing"])


class ClockIn(StrictIn):
    now: AwareDatetime | None

    @field_validator("now")
    @classmethod
    def _sane_year(cls, value: datetime | None) -> datetime | None:
        # Far enough for any test, and far from date overflow in day arithmetic.
        if value is not None and not 2000 <= value.year <= 2200:
            raise ValueError("the clock must be set to a year between 2000 and 2200")
        return value


class ClockOut(BaseModel):
    now: datetime
    pinned: bool


@router.put("/clock", response_model=ClockOut)
async def set_clock(body: ClockIn) -> ClockOut:
    """Pin the clock to `now` (ISO 8601 with offset), or return to real time with null."""
    clock.pin(body.now)
    return ClockOut(now=clock.now(), pinned=clock.pinned is not None)
