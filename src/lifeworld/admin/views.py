"""The household admin's page: set a member's clouds, resources, XP and season; the audit log.

Same services as `admin/api.py` (`set_player`, `audit_log`) plus `member_state` to pre-fill the
form. Only the household admin gets the page; anyone else gets the 403 page.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from lifeworld.admin import service
from lifeworld.admin.schemas import AdminPlayerIn
from lifeworld.clock import clock
from lifeworld.db.scope import Scope
from lifeworld.db.session import ScopeDep
from lifeworld.errors import Forbidden
from lifeworld.game.state import CATEGORIES, Season
from lifeworld.players import service as players
from lifeworld.players.schemas import StateOut
from lifeworld.schemas_common import IdPath
from lifeworld.web import submissions
from lifeworld.web.deps import AdminFormViewer, PageViewer, Viewer
from lifeworld.web.flash import Flash
from lifeworld.web.forms import PageForm, ShowPage
from lifeworld.web.templating import redirect_response, render

router = APIRouter(include_in_schema=False)

CLOUDS = tuple(c.value for c in CATEGORIES)
RESOURCES = ("oxygen", "water", "gold", "armor", "keys")
FIELDS: dict[tuple[str, ...], str] = {
    **{("clouds", c): f"cloud_{c}" for c in CLOUDS},
    **{("resources", r): f"res_{r}" for r in RESOURCES},
    ("xp", "overall"): "xp_overall",
    **{("xp", "categories", c): f"xp_{c}" for c in CLOUDS},
    ("season",): "season",
}
MESSAGES = {
    **{f"cloud_{c}": "Enter a whole number from 0 to 100." for c in CLOUDS},
    "res_oxygen": "Enter months from 0 to 1200.",
    "res_water": "Enter a number from 0 to 100.",
    "res_gold": "Enter an amount of gold, at most 2 decimals.",
    "res_armor": "Enter a whole number from 0 to 100.",
    "res_keys": "Enter a whole number of keys.",
    "xp_overall": "Enter a whole number of XP.",
    **{f"xp_{c}": "Enter a whole number of XP." for c in CLOUDS},
    "season": "Choose a season.",
}


def _only_admin(viewer: Viewer) -> None:
    if not viewer.user.is_admin:
        raise Forbidden("Only the household admin can open this page.", code="admin_only")


def _plain(value: object) -> object:
    """Decimals without trailing zeros (3.0000 → 3), as a person would type them."""
    if isinstance(value, Decimal):
        text = f"{value:f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    return value


def form_of(state: StateOut) -> PageForm:
    """The form pre-filled with a member's current figures."""
    values: dict[str, object] = {f"cloud_{c}": getattr(state.clouds, c) for c in CLOUDS}
    values |= {f"res_{r}": _plain(getattr(state.resources, r)) for r in RESOURCES}
    values |= {f"xp_{c}": getattr(state.xp.categories, c) for c in CLOUDS}
    values |= {"xp_overall": state.xp.overall, "season": state.season.name.value}
    return PageForm.blank(**values)


def body_of(form: PageForm) -> dict[str, Any]:
    """The body of `PUT /api/v1/admin/players/{id}`: empty fields stay as they are."""
    given = {name: form.value(name).strip() for name in FIELDS.values() if form.value(name).strip()}
    body: dict[str, Any] = {}
    for path, name in FIELDS.items():
        if name in given:
            node = body
            for part in path[:-1]:
                node = node.setdefault(part, {})
            node[path[-1]] = given[name]
    return body


async def admin_page(
    request: Request,
    viewer: Viewer,
    scope: Scope,
    *,
    member_id: int | None,
    form: PageForm | None = None,
    status: int = 200,
) -> Response:
    """Members to pick from, the chosen member's form, and the audit log."""
    _only_admin(viewer)
    household = await players.household_detail(scope, user=viewer.user)
    chosen = member_id or viewer.user.id
    member, state = await service.member_state(
        scope, admin=viewer.user, now=clock.now(), user_id=chosen
    )
    return render(
        request,
        "admin/index.html",
        viewer=viewer,
        status=status,
        sections=("member",),
        household=household,
        member=member,
        state=state,
        form=form or form_of(state),
        clouds=CLOUDS,
        resources=RESOURCES,
        seasons=[(s.value, s.value.title()) for s in Season],
        audit=await service.audit_log(scope, admin=viewer.user, limit=100),
    )


MemberQuery = Annotated[int | None, Query(ge=1, le=2**63 - 1)]


@router.get("/admin")
async def admin(
    request: Request, viewer: PageViewer, scope: ScopeDep, member: MemberQuery = None
) -> Response:
    return await admin_page(request, viewer, scope, member_id=member)


@router.post("/admin/players/{user_id}")
async def set_player(
    user_id: IdPath, request: Request, viewer: AdminFormViewer, scope: ScopeDep
) -> Response:
    form = await PageForm.read(request)
    body = form.validate_data(AdminPlayerIn, body_of(form), fields=FIELDS, messages=MESSAGES)
    if body is None:
        page = await admin_page(request, viewer, scope, member_id=user_id, form=form, status=422)
        raise ShowPage(page)
    await submissions.once(request, scope, form, user_id=viewer.user.id, now=clock.now())
    await service.set_player(scope, admin=viewer.user, now=clock.now(), user_id=user_id, body=body)
    flash = Flash("success", "Saved. Every change is in the audit log below.", section="member")
    return await submissions.done(
        request, scope, form, to=f"/admin?member={user_id}#member", flash=flash
    )


@router.get("/admin/{part:path}")
async def admin_form_address(part: str) -> Response:
    """A form's address opened directly: the page itself."""
    return redirect_response("/admin")
