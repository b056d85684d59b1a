"""Routes: income engines."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from lifeworld.accounts.deps import CurrentUser
from lifeworld.clock import clock
from lifeworld.db.session import ScopeDep
from lifeworld.engines import service
from lifeworld.engines.schemas import EngineChangeOut, EngineIn, EngineOut, EnginePatch
from lifeworld.schemas_common import IdPath

router = APIRouter(prefix="/api/v1/me/engines", tags=["game"])


@router.get("", response_model=list[EngineOut])
async def list_engines(user: CurrentUser, scope: ScopeDep) -> list[EngineOut]:
    return await service.list_engines(scope, user=user, now=clock.now())


@router.post("", status_code=status.HTTP_201_CREATED, response_model=EngineChangeOut)
async def create(body: EngineIn, user: CurrentUser, scope: ScopeDep) -> EngineChangeOut:
    return await service.create(scope, user=user, now=clock.now(), body=body)


@router.patch("/{engine_id}", response_model=EngineChangeOut)
async def update(
    engine_id: IdPath, body: EnginePatch, user: CurrentUser, scope: ScopeDep
) -> EngineChangeOut:
    return await service.update(scope, user=user, now=clock.now(), engine_id=engine_id, body=body)


@router.delete("/{engine_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete(engine_id: IdPath, user: CurrentUser, scope: ScopeDep) -> Response:
    await service.delete(scope, user=user, now=clock.now(), engine_id=engine_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
