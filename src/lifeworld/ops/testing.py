"""PUT /api/v1/testing/clock: move the app's clock (exists only with LIFEWORLD_ENV=test)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import AwareDatetime, BaseModel

from lifeworld.clock import clock
from lifeworld.schemas_common import StrictIn

router = APIRouter(prefix="/api/v1/testing", tags=["testing"])


class ClockIn(StrictIn):
    now: AwareDatetime | None


class ClockOut(BaseModel):
    now: datetime
    pinned: bool


@router.put("/clock", response_model=ClockOut)
async def set_clock(body: ClockIn) -> ClockOut:
    """Pin the clock to `now` (ISO 8601 with offset), or return to real time with null."""
    clock.pin(body.now)
    return ClockOut(now=clock.now(), pinned=clock.pinned is not None)
