"""The season change form on Today: only allowed moves are offered, a refusal is explained.

It calls `seasons.service.change`, the same service as `POST /api/v1/me/season`; a move the
rules refuse (say, a tab left open since yesterday) shows the rule's message next to the form.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from lifeworld.clock import clock
from lifeworld.db.session import ScopeDep
from lifeworld.game.errors import GameRuleError
from lifeworld.seasons import service
from lifeworld.seasons.schemas import SeasonChangeIn
from lifeworld.today.views import today_page
from lifeworld.web import formats, submissions
from lifeworld.web.deps import FormViewer
from lifeworld.web.flash import Flash
from lifeworld.web.forms import FORM_ERROR, PageForm, ShowPage
from lifeworld.web.labels import SEASON_MEANINGS
from lifeworld.web.templating import redirect_response

router = APIRouter(include_in_schema=False)


@router.post("/season")
async def change_season(request: Request, viewer: FormViewer, scope: ScopeDep) -> Response:
    form = await PageForm.read(request)
    body = form.validate(
        SeasonChangeIn,
        optional=("reason",),
        messages={
            "season": "Choose the season to move to.",
            "reason": "Use at most 300 characters.",
        },
    )
    if body is None:
        raise ShowPage(await today_page(request, viewer, scope, status=422, season=form))
    await submissions.once(request, scope, form, user_id=viewer.user.id, now=clock.now())
    try:
        state = await service.change(
            scope, user=viewer.user, now=clock.now(), season=body.season, reason=body.reason
        )
    except GameRuleError as exc:
        form.errors[FORM_ERROR] = formats.refusal(exc)
        raise ShowPage(await today_page(request, viewer, scope, status=409, season=form)) from None
    name = state.season.name.value
    text = f"Welcome to {name.title()}: a season of {SEASON_MEANINGS[name]}."
    flash = Flash("success", text, section="season")
    return await submissions.done(request, scope, form, to="/#season", flash=flash)


@router.get("/season")
async def season_form_address() -> Response:
    """The form's address opened directly: Today, where the form is."""
    return redirect_response("/#season")
