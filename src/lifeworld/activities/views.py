"""Pages of activities: the history, one-tap actions and a custom activity with a live preview.

`POST /activities` serves both the quick actions (from Today or this page, `next` says which)
and the custom form; it calls `log_activity`, the same service as `POST /api/v1/me/activities`.
A refusal (energy short, burnout) re-renders the page it came from with the rule's message next
to the form, status 409, and nothing recorded.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from lifeworld.activities import service
from lifeworld.activities.schemas import ActivityIn, ActivityResultOut
from lifeworld.clock import clock
from lifeworld.db.scope import Scope
from lifeworld.db.session import ScopeDep
from lifeworld.game.errors import GameRuleError
from lifeworld.game.state import CATEGORIES, ActivityType
from lifeworld.players import service as players
from lifeworld.schemas_common import IdPath
from lifeworld.today.views import QUICK_TYPES, today_page
from lifeworld.web import formats, submissions
from lifeworld.web.deps import FormViewer, PageViewer, Viewer
from lifeworld.web.flash import Flash
from lifeworld.web.forms import FORM_ERROR, PageForm, ShowPage
from lifeworld.web.labels import label
from lifeworld.web.templating import redirect_response, render

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 20
XP_FIELDS = ("xp_overall", *(f"xp_{c.value}" for c in CATEGORIES))
CHANGE_FIELDS = ("gold", "oxygen")
NESTED_FIELDS: dict[tuple[str, ...], str] = {
    ("custom_xp", "overall"): "xp_overall",
    **{("custom_xp", "categories", c.value): f"xp_{c.value}" for c in CATEGORIES},
    **{("resource_changes", name): name for name in CHANGE_FIELDS},
}
MESSAGES = {
    "type": "Choose an activity.",
    **{name: "Enter a whole number of XP from 0 to 5000." for name in XP_FIELDS},
    "gold": "Enter an amount between -1000000 and 1000000, at most 2 decimals.",
    "oxygen": "Enter months between -24 and 24.",
    "description": "Use at most 500 characters.",
    "saved": "Enter an amount from 0 to 1000000, at most 2 decimals.",
}


async def activities_page(
    request: Request,
    viewer: Viewer,
    scope: Scope,
    *,
    status: int = 200,
    before: str | None = None,
    **forms: PageForm,
) -> Response:
    """The activity log (newest first, a page at a time), quick actions and the custom form."""
    now = clock.now()
    page = await service.list_activities(
        scope, user=viewer.user, now=now, limit=PAGE_SIZE, before=before
    )
    quick = await service.quick_previews(scope, user=viewer.user, now=now, types=QUICK_TYPES)
    today = (await players.get_state(scope, user=viewer.user, now=now)).day.today
    blank = {"quick": PageForm.blank(), "custom": PageForm.blank(), "save": PageForm.blank()}
    return render(
        request,
        "activities/index.html",
        viewer=viewer,
        status=status,
        sections=("quick", "custom", "history"),
        page=page,
        quick=quick,
        forms={**blank, **forms},
        categories=[c.value for c in CATEGORIES],
        today=today,
    )


@router.get("/activities")
async def activities(
    request: Request, viewer: PageViewer, scope: ScopeDep, before: str | None = None
) -> Response:
    return await activities_page(request, viewer, scope, before=(before or "")[:40] or None)


def custom_body(form: PageForm) -> dict[str, Any]:
    """The JSON body of `POST /api/v1/me/activities` the custom form stands for."""
    xp = {name: form.value(name).strip() for name in XP_FIELDS}
    categories = {c.value: xp[f"xp_{c.value}"] for c in CATEGORIES if xp[f"xp_{c.value}"]}
    body: dict[str, Any] = {
        "type": ActivityType.CUSTOM.value,
        "custom_xp": {"categories": categories},
    }
    if xp["xp_overall"]:
        body["custom_xp"]["overall"] = xp["xp_overall"]
    if description := form.value("description").strip():
        body["description"] = description
    changes = {n: form.value(n).strip() for n in CHANGE_FIELDS if form.value(n).strip()}
    if changes:
        body["resource_changes"] = changes
    return body


def saving_body(form: PageForm) -> ActivityIn | None:
    """A Save with the amount put aside, if given, as gold (GAME_RULES.md §4); None if invalid."""
    data: dict[str, Any] = {"type": ActivityType.SAVE_EXPENSES.value}
    amount = form.value("saved").strip()
    if amount:
        data["resource_changes"] = {"gold": amount}
    fields: dict[tuple[str, ...], str] = {("resource_changes", "gold"): "saved"}
    body = form.validate_data(ActivityIn, data, fields=fields, messages=MESSAGES)
    changes = body.resource_changes if body else None
    if changes is not None and changes.gold is not None and changes.gold < 0:
        form.fail("saved", MESSAGES["saved"])  # putting aside is never negative
        return None
    return body


def gained_message(result: ActivityResultOut) -> str:
    """What an activity brought, for the message after it."""
    a = result.activity
    name = a.description or label(a.type)
    parts = [f"{name} logged: {formats.xp(a.xp_gained.overall)}"]
    if a.energy_used:
        parts.append(
            f", {formats.number(a.energy_used)} energy used "
            f"({formats.number(result.energy_left)} left)"
        )
    if a.resource_changes.get("gold"):
        parts.append(f", gold {formats.signed_money(a.resource_changes['gold'])}")
    text = "".join(parts) + "."
    for milestone in result.milestones:
        keys = "+" + formats.plural(milestone.keys, "key")
        text += f" Milestone reached: {label(milestone.type)} ({keys})!"
    return text


async def _again(
    request: Request,
    viewer: Viewer,
    scope: Scope,
    to: str,
    name: str,
    form: PageForm,
    status: int,
) -> Response:
    if to == "/" and name == "save":
        return await today_page(request, viewer, scope, status=status, save=form)
    if to == "/":
        return await today_page(request, viewer, scope, status=status, quick=form)
    if name == "save":
        return await activities_page(request, viewer, scope, status=status, save=form)
    if name == "quick":
        return await activities_page(request, viewer, scope, status=status, quick=form)
    return await activities_page(request, viewer, scope, status=status, custom=form)


@router.post("/activities")
async def log_activity(request: Request, viewer: FormViewer, scope: ScopeDep) -> Response:
    form = await PageForm.read(request)
    to = "/" if form.value("next") == "/" else "/activities"
    custom = form.value("type") == ActivityType.CUSTOM.value
    name = "custom" if custom else "save" if form.value("form") == "save" else "quick"
    if custom:
        body = form.validate_data(
            ActivityIn, custom_body(form), fields=NESTED_FIELDS, messages=MESSAGES
        )
    elif name == "save":
        body = saving_body(form)
    else:
        body = form.validate(ActivityIn, messages=MESSAGES)
    if body is None:
        if name == "quick":
            form.errors.setdefault(FORM_ERROR, MESSAGES["type"])
        raise ShowPage(await _again(request, viewer, scope, to, name, form, 422))
    await submissions.once(request, scope, form, user_id=viewer.user.id, now=clock.now())
    try:
        result = await service.log_activity(scope, user=viewer.user, now=clock.now(), body=body)
    except GameRuleError as exc:
        form.errors[FORM_ERROR] = formats.refusal(exc)
        raise ShowPage(await _again(request, viewer, scope, to, name, form, 409)) from None
    logged = str(result.activity.id)
    section = "custom" if custom else "quick"  # the amount form lives in the quick card
    flash = Flash("success", gained_message(result), section=section, undo=logged)
    return await submissions.done(request, scope, form, to=f"{to}#{section}", flash=flash)


@router.post("/activities/{activity_id}/undo")
async def undo_activity(
    activity_id: IdPath, request: Request, viewer: FormViewer, scope: ScopeDep
) -> Response:
    """Undo one of today's activities (the same service as the API's DELETE); a refusal
    (an earlier day, a training task's activity) comes back as a message, nothing changed."""
    form = await PageForm.read(request)
    to, section = ("/", "recent") if form.value("next") == "/" else ("/activities", "history")
    await submissions.once(request, scope, form, user_id=viewer.user.id, now=clock.now())
    try:
        undone = await service.undo(
            scope, user=viewer.user, now=clock.now(), activity_id=activity_id
        )
    except GameRuleError as exc:
        refused = Flash("error", exc.message, section=section)
        return await submissions.done(request, scope, form, to=f"{to}#{section}", flash=refused)
    name = undone.description or label(undone.type)
    text = f"{name} undone: its energy, XP and resources are back as they were."
    flash = Flash("success", text, section=section)
    return await submissions.done(request, scope, form, to=f"{to}#{section}", flash=flash)


@router.get("/activities/{part:path}")
async def activities_form_address(part: str) -> Response:
    """A form's address opened directly: the page itself."""
    return redirect_response("/activities")
