"""Routes: the dashboard state, the questionnaire, milestones (API.md "The game")."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from lifeworld.accounts.deps import CurrentUser, signed_in, signs_in
from lifeworld.clock import clock
from lifeworld.db.session import ScopeDep
from lifeworld.players import service
from lifeworld.players.schemas import MilestoneOut, QuestionnaireIn, StateOut

router = APIRouter(prefix="/api/v1/me", tags=["game"])


@router.get("/state", response_model=StateOut)
@signs_in
async def state(request: Request) -> Response:
    """The dashboard, the app's busiest read: served from memory while it is exact.

    It takes the request's transaction and the caller itself rather than through dependencies:
    on a cache hit the dependency machinery would cost more than everything else together.
    """
    async with signed_in(request) as (scope, principal):
        body = await service.state_json(scope, user=principal.user, now=clock.now())
    return Response(body, media_type="application/json")


@router.post("/questionnaire", response_model=StateOut)
async def questionnaire(body: QuestionnaireIn, user: CurrentUser, scope: ScopeDep) -> StateOut:
    return await service.answer_questionnaire(scope, user=user, now=clock.now(), answers=body)


@router.get("/milestones", response_model=list[MilestoneOut])
async def milestones(user: CurrentUser, scope: ScopeDep) -> list[MilestoneOut]:
    return await service.list_milestones(scope, user=user, now=clock.now())
