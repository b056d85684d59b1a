"""Loadout pages: presets and custom sets, a slot picker, power and benefits, activation.

Same services as `loadouts/api.py`: `list_loadouts` (a read: the presets come with the
player), `catalogue`, `create`, `patch`, `delete`, `activate`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from lifeworld.clock import clock
from lifeworld.db.scope import Scope
from lifeworld.db.session import ScopeDep
from lifeworld.errors import InvalidField, NotFound
from lifeworld.game.errors import GameRuleError, PresetLocked
from lifeworld.game.loadouts import Slot
from lifeworld.loadouts import service
from lifeworld.loadouts.schemas import LoadoutIn, LoadoutOut, LoadoutPatch
from lifeworld.schemas_common import IdPath
from lifeworld.web import formats, submissions
from lifeworld.web.deps import FormViewer, PageViewer, Viewer
from lifeworld.web.flash import Flash
from lifeworld.web.forms import FORM_ERROR, PageForm, ShowPage
from lifeworld.web.templating import redirect, redirect_response, render

router = APIRouter(include_in_schema=False)

SLOT_FIELDS: dict[tuple[str, ...], str] = {("slots", s.value): f"slot_{s.value}" for s in Slot}
MESSAGES = {"name": "Give the loadout a name (1–80 characters)."}


def _slots(form: PageForm) -> dict[str, str | None]:
    return {s.value: form.value(f"slot_{s.value}").strip() or None for s in Slot}


def _body(form: PageForm) -> dict[str, Any]:
    return {"name": form.value("name"), "slots": _slots(form)}


def _reject(form: PageForm, exc: InvalidField) -> None:
    field = exc.field.replace("slots.", "slot_") if exc.field.startswith("slots.") else exc.field
    form.fail(field, exc.message)


async def loadouts_page(
    request: Request, viewer: Viewer, scope: Scope, *, status: int = 200, **forms: PageForm
) -> Response:
    """Every loadout of the player (presets first), and the form for a custom one."""
    loadouts = await service.list_loadouts(scope, user=viewer.user, now=clock.now())
    return render(
        request,
        "loadouts/index.html",
        viewer=viewer,
        status=status,
        sections=("loadouts", "create"),
        loadouts=loadouts,
        catalogue=service.catalogue(None),
        slots=[s.value for s in Slot],
        forms={"create": PageForm.blank(), "loadouts": PageForm.blank(), **forms},
    )


@router.get("/loadouts")
async def loadouts(request: Request, viewer: PageViewer, scope: ScopeDep) -> Response:
    return await loadouts_page(request, viewer, scope)


@router.post("/loadouts")
async def create(request: Request, viewer: FormViewer, scope: ScopeDep) -> Response:
    form = await PageForm.read(request)
    body = form.validate_data(LoadoutIn, _body(form), fields=SLOT_FIELDS, messages=MESSAGES)
    if body is None:
        raise ShowPage(await loadouts_page(request, viewer, scope, status=422, create=form))
    await submissions.once(request, scope, form, user_id=viewer.user.id, now=clock.now())
    try:
        made = await service.create(scope, user=viewer.user, now=clock.now(), body=body)
    except InvalidField as exc:
        _reject(form, exc)
        raise ShowPage(
            await loadouts_page(request, viewer, scope, status=422, create=form)
        ) from None
    text = f"“{made.name}” saved with power {made.power}. Activate it when you want its bonuses."
    flash = Flash("success", text, section="loadouts")
    return await submissions.done(request, scope, form, to="/loadouts#loadouts", flash=flash)


async def _own(scope: Scope, viewer: Viewer, loadout_id: int) -> LoadoutOut:
    for loadout in await service.list_loadouts(scope, user=viewer.user, now=clock.now()):
        if loadout.id == loadout_id:
            return loadout
    raise NotFound("No such loadout.")


def _edit_page(
    request: Request, viewer: Viewer, loadout: LoadoutOut, form: PageForm, status: int = 200
) -> Response:
    return render(
        request,
        "loadouts/edit.html",
        viewer=viewer,
        status=status,
        loadout=loadout,
        catalogue=service.catalogue(None),
        slots=[s.value for s in Slot],
        form=form,
    )


@router.get("/loadouts/{loadout_id}/edit")
async def edit(
    loadout_id: IdPath, request: Request, viewer: PageViewer, scope: ScopeDep
) -> Response:
    loadout = await _own(scope, viewer, loadout_id)
    if loadout.preset:
        note = Flash("info", f"“{loadout.name}” is a preset: {PresetLocked().message}", "loadouts")
        return redirect(request, "/loadouts#loadouts", note)
    values = {f"slot_{slot.value}": item.id if item else "" for slot, item in loadout.slots.items()}
    return _edit_page(request, viewer, loadout, PageForm.blank(name=loadout.name, **values))


@router.post("/loadouts/{loadout_id}")
async def save(
    loadout_id: IdPath, request: Request, viewer: FormViewer, scope: ScopeDep
) -> Response:
    form = await PageForm.read(request)
    loadout = await _own(scope, viewer, loadout_id)
    body = form.validate_data(LoadoutPatch, _body(form), fields=SLOT_FIELDS, messages=MESSAGES)
    if body is not None and not form.value("name").strip():
        form.fail("name", MESSAGES["name"])
    if body is None or not form.ok:
        raise ShowPage(_edit_page(request, viewer, loadout, form, 422))
    await submissions.once(request, scope, form, user_id=viewer.user.id, now=clock.now())
    try:
        saved = await service.patch(
            scope, user=viewer.user, now=clock.now(), loadout_id=loadout_id, body=body
        )
    except InvalidField as exc:
        _reject(form, exc)
        raise ShowPage(_edit_page(request, viewer, loadout, form, 422)) from None
    except GameRuleError as exc:
        form.errors[FORM_ERROR] = formats.refusal(exc)
        raise ShowPage(_edit_page(request, viewer, loadout, form, 409)) from None
    flash = Flash("success", f"“{saved.name}” saved: power {saved.power}.", section="loadouts")
    return await submissions.done(request, scope, form, to="/loadouts#loadouts", flash=flash)


@router.post("/loadouts/{loadout_id}/activate")
async def activate(
    loadout_id: IdPath, request: Request, viewer: FormViewer, scope: ScopeDep
) -> Response:
    form = await PageForm.read(request)
    await submissions.once(request, scope, form, user_id=viewer.user.id, now=clock.now())
    active = await service.activate(scope, user=viewer.user, now=clock.now(), loadout_id=loadout_id)
    text = f"“{active.name}” is active (power {active.power}): its bonuses apply from now on."
    flash = Flash("success", text, section="loadouts")
    return await submissions.done(request, scope, form, to="/loadouts#loadouts", flash=flash)


@router.post("/loadouts/{loadout_id}/delete")
async def delete(
    loadout_id: IdPath, request: Request, viewer: FormViewer, scope: ScopeDep
) -> Response:
    form = await PageForm.read(request)
    await submissions.once(request, scope, form, user_id=viewer.user.id, now=clock.now())
    try:
        await service.delete(scope, user=viewer.user, now=clock.now(), loadout_id=loadout_id)
    except GameRuleError as exc:
        form.errors[FORM_ERROR] = formats.refusal(exc)
        page = await loadouts_page(request, viewer, scope, status=409, loadouts=form)
        raise ShowPage(page) from None
    flash = Flash("success", "Loadout deleted.", section="loadouts")
    return await submissions.done(request, scope, form, to="/loadouts#loadouts", flash=flash)


@router.get("/loadouts/{part:path}")
async def loadouts_form_address(part: str) -> Response:
    """A form's address opened directly: the page itself."""
    return redirect_response("/loadouts")
