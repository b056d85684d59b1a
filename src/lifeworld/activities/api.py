"""Routes: log, preview and list activities."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from lifeworld.accounts.deps import CurrentUser
from lifeworld.activities import service
from lifeworld.activities.schemas import ActivityIn, ActivityPageOut, ActivityResultOut
from lifeworld.clock import clock
from lifeworld.db.session import SessionDep

router = APIRouter(prefix="/api/v1/me/activities", tags=["game"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ActivityResultOut)
async def log_activity(body: ActivityIn, user: CurrentUser, db: SessionDep) -> ActivityResultOut:
    return await service.log_activity(db, user=user, now=clock.now(), body=body)


@router.post("/preview", response_model=ActivityResultOut)
async def preview(body: ActivityIn, user: CurrentUser, db: SessionDep) -> ActivityResultOut:
    return await service.preview_activity(db, user=user, now=clock.now(), body=body)


@router.get("", response_model=ActivityPageOut)
async def list_activities(
    user: CurrentUser,
    db: SessionDep,
    limit: Annotated[int, Query(ge=1, le=service.MAX_PAGE)] = 50,
    before: Annotated[str | None, Query(max_length=40)] = None,
) -> ActivityPageOut:
    return await service.list_activities(db, user=user, now=clock.now(), limit=limit, before=before)
