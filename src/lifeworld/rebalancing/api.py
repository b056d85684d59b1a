"""Routes: rebalancing configuration and status."""

from __future__ import annotations

from fastapi import APIRouter

from lifeworld.accounts.deps import CurrentUser
from lifeworld.clock import clock
from lifeworld.db.session import ScopeDep
from lifeworld.rebalancing import service
from lifeworld.rebalancing.schemas import RebalancingIn, RebalancingOut, RebalancingStatusOut

router = APIRouter(prefix="/api/v1/me/rebalancing", tags=["game"])


@router.get("", response_model=RebalancingOut)
async def get_config(user: CurrentUser, scope: ScopeDep) -> RebalancingOut:
    return await service.get_config(scope, user=user, now=clock.now())


@router.put("", response_model=RebalancingOut)
async def put_config(body: RebalancingIn, user: CurrentUser, scope: ScopeDep) -> RebalancingOut:
    return await service.put_config(scope, user=user, now=clock.now(), body=body)


@router.get("/status", response_model=RebalancingStatusOut)
async def status(user: CurrentUser, scope: ScopeDep) -> RebalancingStatusOut:
    return await service.status(scope, user=user, now=clock.now())
