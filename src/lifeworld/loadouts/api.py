"""Routes: the item catalogue and a player's loadouts."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from lifeworld.accounts.deps import CurrentUser
from lifeworld.clock import clock
from lifeworld.db.session import ScopeDep
from lifeworld.game.loadouts import Slot
from lifeworld.loadouts import service
from lifeworld.loadouts.schemas import ItemOut, LoadoutIn, LoadoutOut, LoadoutPatch
from lifeworld.schemas_common import IdPath

router = APIRouter(prefix="/api/v1", tags=["game"])


@router.get("/loadout-items", response_model=list[ItemOut])
async def items(user: CurrentUser, slot: Slot | None = None) -> list[ItemOut]:
    return service.catalogue(slot)


@router.get("/me/loadouts", response_model=list[LoadoutOut])
async def list_loadouts(user: CurrentUser, scope: ScopeDep) -> list[LoadoutOut]:
    return await service.list_loadouts(scope, user=user, now=clock.now())


@router.post("/me/loadouts", status_code=status.HTTP_201_CREATED, response_model=LoadoutOut)
async def create(body: LoadoutIn, user: CurrentUser, scope: ScopeDep) -> LoadoutOut:
    return await service.create(scope, user=user, now=clock.now(), body=body)


@router.patch("/me/loadouts/{loadout_id}", response_model=LoadoutOut)
async def patch(
    loadout_id: IdPath, body: LoadoutPatch, user: CurrentUser, scope: ScopeDep
) -> LoadoutOut:
    return await service.patch(scope, user=user, now=clock.now(), loadout_id=loadout_id, body=body)


@router.delete("/me/loadouts/{loadout_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete(loadout_id: IdPath, user: CurrentUser, scope: ScopeDep) -> Response:
    await service.delete(scope, user=user, now=clock.now(), loadout_id=loadout_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/me/loadouts/{loadout_id}/activate", response_model=LoadoutOut)
async def activate(loadout_id: IdPath, user: CurrentUser, scope: ScopeDep) -> LoadoutOut:
    return await service.activate(scope, user=user, now=clock.now(), loadout_id=loadout_id)
