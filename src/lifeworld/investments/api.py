"""Routes: the practice portfolio."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, status

from lifeworld.accounts.deps import CurrentUser
from lifeworld.clock import clock
from lifeworld.db.session import ScopeDep
from lifeworld.investments import service
from lifeworld.investments.schemas import (
    GrowthIn,
    GrowthOut,
    InvestmentChangeOut,
    InvestmentCreatedOut,
    InvestmentIn,
    InvestmentOut,
    InvestmentPatch,
    SaleOut,
)
from lifeworld.schemas_common import IdPath

router = APIRouter(prefix="/api/v1/me/investments", tags=["game"])


@router.get("", response_model=list[InvestmentOut])
async def list_investments(user: CurrentUser, scope: ScopeDep) -> list[InvestmentOut]:
    return await service.list_investments(scope, user=user, now=clock.now())


@router.post("", status_code=status.HTTP_201_CREATED, response_model=InvestmentCreatedOut)
async def create(body: InvestmentIn, user: CurrentUser, scope: ScopeDep) -> InvestmentCreatedOut:
    return await service.create(scope, user=user, now=clock.now(), body=body)


@router.post("/growth", response_model=GrowthOut)
async def grow(
    user: CurrentUser, scope: ScopeDep, body: Annotated[GrowthIn | None, Body()] = None
) -> GrowthOut:
    """This month's growth of every investment (no body, or an empty object)."""
    return await service.grow(scope, user=user, now=clock.now())


@router.patch("/{investment_id}", response_model=InvestmentChangeOut)
async def patch(
    investment_id: IdPath, body: InvestmentPatch, user: CurrentUser, scope: ScopeDep
) -> InvestmentChangeOut:
    return await service.patch(
        scope, user=user, now=clock.now(), investment_id=investment_id, body=body
    )


@router.delete("/{investment_id}", response_model=SaleOut)
async def sell(investment_id: IdPath, user: CurrentUser, scope: ScopeDep) -> SaleOut:
    return await service.sell_investment(
        scope, user=user, now=clock.now(), investment_id=investment_id
    )
