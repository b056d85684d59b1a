"""Routes: log, preview and list activities."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from lifeworld.accounts.deps import CurrentUser, signed_in, signs_in
from lifeworld.activities import service
from lifeworld.activities.schemas import ActivityIn, ActivityPageOut, ActivityResultOut
from lifeworld.clock import clock
from lifeworld.db.session import ScopeDep
from lifeworld.routes import json_body, read_json, validated
from lifeworld.web import submissions

JSON = "application/json"

router = APIRouter(prefix="/api/v1/me/activities", tags=["game"])


# One handler for every request: it signs the caller in and reads its own body, so a log
# costs no dependency solving (the app's busiest write; the answers are FastAPI's own).
@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ActivityResultOut,
    openapi_extra=json_body(ActivityIn),
)
@signs_in
async def log_activity(request: Request) -> Response:
    document = await read_json(request)  # malformed JSON: 400, before the sign-in
    async with signed_in(request) as (scope, principal):
        body = validated(document, ActivityIn)  # the fields once signed in: 401 before 422
        key = request.headers.get("idempotency-key")
        await submissions.claim_page_key(scope, key=key, user_id=principal.user.id, now=clock.now())
        result = await service.log_activity(scope, user=principal.user, now=clock.now(), body=body)
    return Response(result.model_dump_json(), status.HTTP_201_CREATED, media_type=JSON)


@router.post("/preview", response_model=ActivityResultOut)
async def preview(body: ActivityIn, user: CurrentUser, scope: ScopeDep) -> ActivityResultOut:
    return await service.preview_activity(scope, user=user, now=clock.now(), body=body)


@router.get("", response_model=ActivityPageOut)
async def list_activities(
    user: CurrentUser,
    scope: ScopeDep,
    limit: Annotated[int, Query(ge=1, le=service.MAX_PAGE)] = 50,
    before: Annotated[str | None, Query(max_length=40)] = None,
) -> ActivityPageOut:
    return await service.list_activities(
        scope, user=user, now=clock.now(), limit=limit, before=before
    )


@router.delete("/{activity_id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response)
async def undo_activity(activity_id: int, user: CurrentUser, scope: ScopeDep) -> Response:
    """Undo an activity of the current game day: its energy back (up to the day's cap), its XP
    and resource changes taken away, milestones kept (GAME_RULES.md §3.2). 409 `day_closed`
    for an earlier day's activity, 409 `has_dependents` for a training task's; 404 for an id
    that is not one of the player's activities (also once undone)."""
    await service.undo(scope, user=user, now=clock.now(), activity_id=activity_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
