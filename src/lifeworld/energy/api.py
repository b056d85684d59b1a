"""Routes: energy status, sleep, boosts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from lifeworld.accounts.deps import CurrentUser
from lifeworld.clock import clock
from lifeworld.db.session import ScopeDep
from lifeworld.energy import service
from lifeworld.energy.schemas import (
    BoostIn,
    BoostOut,
    EnergyStatusOut,
    SleepIn,
    SleepOut,
    SleepResultOut,
)
from lifeworld.schemas_common import IsoDate

router = APIRouter(prefix="/api/v1/me", tags=["game"])


@router.get("/energy", response_model=EnergyStatusOut)
async def energy(user: CurrentUser, scope: ScopeDep) -> EnergyStatusOut:
    return await service.energy(scope, user=user, now=clock.now())


@router.post("/sleep", status_code=status.HTTP_201_CREATED, response_model=SleepResultOut)
async def log_sleep(body: SleepIn, user: CurrentUser, scope: ScopeDep) -> SleepResultOut:
    return await service.log_sleep(scope, user=user, now=clock.now(), body=body)


@router.get("/sleep", response_model=list[SleepOut])
async def list_sleep(
    user: CurrentUser,
    scope: ScopeDep,
    start: Annotated[IsoDate | None, Query(alias="from")] = None,
    end: Annotated[IsoDate | None, Query(alias="to")] = None,
) -> list[SleepOut]:
    return await service.list_sleep(scope, user=user, now=clock.now(), start=start, end=end)


@router.post("/boosts", status_code=status.HTTP_201_CREATED, response_model=BoostOut)
async def add_boost(body: BoostIn, user: CurrentUser, scope: ScopeDep) -> BoostOut:
    return await service.add_boost(scope, user=user, now=clock.now(), body=body)
