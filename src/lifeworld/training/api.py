"""Routes: the training center."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from lifeworld.accounts.deps import CurrentUser
from lifeworld.clock import clock
from lifeworld.db.session import ScopeDep
from lifeworld.training import service
from lifeworld.training.schemas import CompleteIn, CompleteOut, TrainingOut

router = APIRouter(prefix="/api/v1/me/training", tags=["game"])


@router.get("", response_model=TrainingOut)
async def overview(user: CurrentUser, scope: ScopeDep) -> TrainingOut:
    return await service.overview(scope, user=user, now=clock.now())


@router.post("/tasks/{task_id}/complete", response_model=CompleteOut)
async def complete(
    task_id: Annotated[str, Path(max_length=64)],
    user: CurrentUser,
    scope: ScopeDep,
    body: CompleteIn | None = None,
) -> CompleteOut:
    return await service.complete(
        scope, user=user, now=clock.now(), task_id=task_id, notes=body.notes if body else None
    )
