"""Routes: seasons and their history."""

from __future__ import annotations

from fastapi import APIRouter

from lifeworld.accounts.deps import CurrentUser
from lifeworld.clock import clock
from lifeworld.db.session import ScopeDep
from lifeworld.players.schemas import StateOut
from lifeworld.seasons import service
from lifeworld.seasons.schemas import SeasonChangeIn, SeasonsOut

router = APIRouter(prefix="/api/v1/me", tags=["game"])


@router.get("/seasons", response_model=SeasonsOut)
async def seasons(user: CurrentUser, scope: ScopeDep) -> SeasonsOut:
    return await service.seasons(scope, user=user, now=clock.now())


@router.post("/season", response_model=StateOut)
async def change_season(body: SeasonChangeIn, user: CurrentUser, scope: ScopeDep) -> StateOut:
    return await service.change(
        scope, user=user, now=clock.now(), season=body.season, reason=body.reason
    )
