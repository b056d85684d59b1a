"""Routes: the dashboard state, the questionnaire, milestones (API.md "The game")."""

from __future__ import annotations

from fastapi import APIRouter, Response

from lifeworld.accounts.deps import CurrentUser
from lifeworld.cache.deps import CacheDep
from lifeworld.clock import clock
from lifeworld.db.session import SessionDep
from lifeworld.players import service
from lifeworld.players.schemas import MilestoneOut, QuestionnaireIn, StateOut
from lifeworld.players.state_cache import state_json

router = APIRouter(prefix="/api/v1/me", tags=["game"])


@router.get("/state", response_model=StateOut)
async def state(user: CurrentUser, db: SessionDep, cache: CacheDep) -> Response:
    body = await state_json(db, cache, user=user, now=clock.now())
    return Response(body, media_type="application/json")


@router.post("/questionnaire", response_model=StateOut)
async def questionnaire(body: QuestionnaireIn, user: CurrentUser, db: SessionDep) -> StateOut:
    return await service.answer_questionnaire(db, user=user, now=clock.now(), answers=body)


@router.get("/milestones", response_model=list[MilestoneOut])
async def milestones(user: CurrentUser, db: SessionDep) -> list[MilestoneOut]:
    return await service.list_milestones(db, user=user, now=clock.now())
