"""The engines page: a player's income sources, added, switched on and off, removed.

Same services as `engines/api.py`; an engine change can reach a milestone (two active engines).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from lifeworld.activities.schemas import MilestoneGainedOut
from lifeworld.clock import clock
from lifeworld.db.scope import Scope
from lifeworld.db.session import ScopeDep
from lifeworld.engines import service
from lifeworld.engines.schemas import EngineIn, EnginePatch, EngineStatus, EngineType
from lifeworld.schemas_common import IdPath
from lifeworld.web import submissions
from lifeworld.web.deps import FormViewer, PageViewer, Viewer
from lifeworld.web.flash import Flash
from lifeworld.web.forms import PageForm, ShowPage
from lifeworld.web.labels import label
from lifeworld.web.templating import redirect_response, render

router = APIRouter(include_in_schema=False)

MESSAGES = {
    "type": "Choose a kind of engine.",
    "name": "Give it a name (1–120 characters).",
    "description": "Use at most 1000 characters.",
    "fragility": "Enter a number from 0 (fragile) to 100 (robust).",
    "monthly_output": "Enter the money it brings a month, at most 2 decimals.",
    "status": "Choose a status.",
}
STATUS_CHOICES = [
    (EngineStatus.ACTIVE.value, "Active: it brings money now"),
    (EngineStatus.PLANNING.value, "Planning"),
    (EngineStatus.INACTIVE.value, "Paused"),
]


async def engines_page(
    request: Request, viewer: Viewer, scope: Scope, *, status: int = 200, **forms: PageForm
) -> Response:
    """The player's engines and the form for a new one."""
    engines = await service.list_engines(scope, user=viewer.user, now=clock.now())
    blank = {"create": PageForm.blank(type="CAREER", fragility="50", status="PLANNING")}
    return render(
        request,
        "engines/index.html",
        viewer=viewer,
        status=status,
        sections=("engines", "create"),
        engines=engines,
        types=[(t.value, label(t)) for t in EngineType],
        statuses=STATUS_CHOICES,
        forms={**blank, **forms},
    )


@router.get("/engines")
async def engines(request: Request, viewer: PageViewer, scope: ScopeDep) -> Response:
    return await engines_page(request, viewer, scope)


def _milestones(found: list[MilestoneGainedOut]) -> str:
    return "".join(f" Milestone reached: {label(m.type)} (+{m.keys} key)!" for m in found)


@router.post("/engines")
async def create(request: Request, viewer: FormViewer, scope: ScopeDep) -> Response:
    form = await PageForm.read(request)
    body = form.validate(
        EngineIn, optional=("description",), defaults=("monthly_output",), messages=MESSAGES
    )
    if body is None:
        raise ShowPage(await engines_page(request, viewer, scope, status=422, create=form))
    await submissions.once(request, scope, form, user_id=viewer.user.id, now=clock.now())
    made = await service.create(scope, user=viewer.user, now=clock.now(), body=body)
    text = f"Engine “{made.name}” added ({label(made.status).lower()})." + _milestones(
        made.milestones
    )
    flash = Flash("success", text, section="engines")
    return await submissions.done(request, scope, form, to="/engines#engines", flash=flash)


@router.post("/engines/{engine_id}")
async def set_status(
    engine_id: IdPath, request: Request, viewer: FormViewer, scope: ScopeDep
) -> Response:
    form = await PageForm.read(request)
    body = form.validate(EnginePatch, messages=MESSAGES)
    if body is None or body.status is None:
        form.fail("status", MESSAGES["status"])
        raise ShowPage(await engines_page(request, viewer, scope, status=422))
    await submissions.once(request, scope, form, user_id=viewer.user.id, now=clock.now())
    changed = await service.update(
        scope, user=viewer.user, now=clock.now(), engine_id=engine_id, body=body
    )
    text = f"“{changed.name}” is now {label(changed.status).lower()}." + _milestones(
        changed.milestones
    )
    flash = Flash("success", text, section="engines")
    return await submissions.done(request, scope, form, to="/engines#engines", flash=flash)


@router.post("/engines/{engine_id}/delete")
async def delete(
    engine_id: IdPath, request: Request, viewer: FormViewer, scope: ScopeDep
) -> Response:
    form = await PageForm.read(request)
    await submissions.once(request, scope, form, user_id=viewer.user.id, now=clock.now())
    await service.delete(scope, user=viewer.user, now=clock.now(), engine_id=engine_id)
    flash = Flash("success", "Engine removed.", section="engines")
    return await submissions.done(request, scope, form, to="/engines#engines", flash=flash)


@router.get("/engines/{part:path}")
async def engines_form_address(part: str) -> Response:
    """A form's address opened directly: the page itself."""
    return redirect_response("/engines")
