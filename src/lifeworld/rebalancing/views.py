"""The rebalancing settings form (shown on the investments page, with the advice it gives).

It calls `rebalancing.service.put_config`, the same service as `PUT /api/v1/me/rebalancing`.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from lifeworld.clock import clock
from lifeworld.db.session import ScopeDep
from lifeworld.errors import InvalidField
from lifeworld.investments.views import investments_page
from lifeworld.rebalancing import service
from lifeworld.rebalancing.schemas import RebalancingIn
from lifeworld.web import submissions
from lifeworld.web.deps import FormViewer
from lifeworld.web.flash import Flash
from lifeworld.web.forms import FORM_ERROR, PageForm, ShowPage
from lifeworld.web.templating import redirect_response

router = APIRouter(include_in_schema=False)

MESSAGES = {
    "horizon_years": "Enter whole years from 1 to 100.",
    "target_stocks": "Enter a percentage from 0 to 100, or leave it empty.",
    "target_bonds": "Enter a percentage from 0 to 100, or leave it empty (it is 100 − stocks).",
    "drift_threshold": "Enter points from 0 to 50.",
    "last_rebalanced_on": "Enter a date, or leave it empty.",
    FORM_ERROR: "The stocks and safe-part targets must add up to 100 (or leave both empty).",
}
OPTIONAL = ("target_stocks", "target_bonds", "last_rebalanced_on")


@router.post("/rebalancing")
async def save_config(request: Request, viewer: FormViewer, scope: ScopeDep) -> Response:
    form = await PageForm.read(request)
    body = form.validate(RebalancingIn, optional=OPTIONAL, messages=MESSAGES)
    if body is None:
        raise ShowPage(await investments_page(request, viewer, scope, status=422, mix=form))
    await submissions.once(request, scope, form, user_id=viewer.user.id, now=clock.now())
    try:
        await service.put_config(scope, user=viewer.user, now=clock.now(), body=body)
    except InvalidField as exc:
        form.reject(exc)
        raise ShowPage(
            await investments_page(request, viewer, scope, status=422, mix=form)
        ) from None
    flash = Flash(
        "success", "Rebalancing settings saved: the advice below uses them.", "rebalancing"
    )
    return await submissions.done(request, scope, form, to="/investments#rebalancing", flash=flash)


@router.get("/rebalancing")
async def rebalancing_form_address() -> Response:
    """The form's address opened directly: the investments page, where the form is."""
    return redirect_response("/investments#rebalancing")
