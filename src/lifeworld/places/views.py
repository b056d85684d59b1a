"""The places page: describe what you look for and a city, see grouped results, save favourites.

Same services as `places/api.py`: `service.search`, `service.add_household_place` and the saved
places of `saved`. The search is a GET form (a read; its address can be bookmarked).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import Response

from lifeworld.clock import clock
from lifeworld.db.scope import Scope
from lifeworld.db.session import ScopeDep
from lifeworld.errors import Conflict, InvalidField, NotFound
from lifeworld.places import saved, service
from lifeworld.places.deps import PlacesDep
from lifeworld.places.runtime import Places
from lifeworld.places.schemas import (
    HouseholdPlaceIn,
    SavedPlaceIn,
    SavedPlaceOut,
    SavedPlacePatch,
    SearchIn,
    SearchOut,
)
from lifeworld.schemas_common import IdPath
from lifeworld.web import submissions
from lifeworld.web.deps import FormViewer, PageViewer, Viewer, safe_next
from lifeworld.web.flash import Flash
from lifeworld.web.forms import FORM_ERROR, PageForm, ShowPage
from lifeworld.web.templating import redirect_response, render

router = APIRouter(include_in_schema=False)

CATEGORIES = ("cafe", "restaurant", "park", "gym", "library", "coworking", "museum", "bar", "shop")
SEARCH_MESSAGES = {
    "description": "Say what you are looking for (up to 300 characters).",
    "city": "Use at most 120 characters.",
}
NOTES_MESSAGE = "Use at most 2000 characters."
SAVE_MESSAGES = {"notes": NOTES_MESSAGE, FORM_ERROR: "This place cannot be saved: search again."}
OWN_MESSAGES = {
    "name": "Give the place a name.",
    "category": "Choose a kind of place.",
    "city": "Enter the town or city it is in.",
    "rating": "Enter a rating from 0 to 5, like 4.5.",
    "website": "Enter an address starting with http:// or https://.",
    "description": "Use at most 500 characters.",
    "country": "Use at most 80 characters.",
}


def _back(search: PageForm) -> str:
    query = {k: search.value(k) for k in ("description", "city") if search.value(k)}
    return "/places" + (f"?{urlencode(query)}" if query else "")


async def places_page(
    request: Request,
    viewer: Viewer,
    scope: Scope,
    places: Places,
    *,
    search: PageForm,
    status: int = 200,
    save_forms: dict[str, PageForm] | None = None,
    **forms: PageForm,
) -> Response:
    """The search form (and its results when it was filled), saved places, the own-place form."""
    results: SearchOut | None = None
    if "description" in search.raw and not search.errors:
        body = search.validate(SearchIn, optional=("city",), messages=SEARCH_MESSAGES)
        if body is not None:
            try:
                found = await service.search(
                    scope, places=places, user=viewer.user, **body.model_dump()
                )
            except InvalidField as exc:
                search.reject(exc)
            else:
                results = SearchOut.model_validate(found)
        if search.errors:
            status = 422
    shown = {p.id for group in (results.groups.values() if results else ()) for p in group}
    # A refused save of a place not on the page (a stale or forged form) is said at the top.
    unplaced = [
        f.form_error
        for key, f in (save_forms or {}).items()
        if f.form_error and key not in shown and not key.startswith("saved-")
    ]
    mine = [
        SavedPlaceOut.model_validate(s) for s in await saved.list_saved(scope, user=viewer.user)
    ]
    blank = {"own": PageForm.blank(category="cafe", city=search.value("city"))}
    return render(
        request,
        "places/index.html",
        viewer=viewer,
        status=status,
        sections=("saved", "own", "results"),
        search=search,
        results=results,
        saved=mine,
        saved_ids={s.place_id for s in mine},
        back=_back(search),
        save_forms=save_forms or {},
        unplaced=unplaced,
        categories=[(c, c.title()) for c in CATEGORIES] + [("other", "Other")],
        forms={**blank, **forms},
    )


@router.get("/places")
async def places_search(
    request: Request, viewer: PageViewer, scope: ScopeDep, places: PlacesDep
) -> Response:
    return await places_page(request, viewer, scope, places, search=_search(request.url.query))


def _search(query: str) -> PageForm:
    """The search form as sent in a query string (`raw` is empty when none was sent)."""
    pairs = dict(parse_qsl(query, keep_blank_values=True))
    values: dict[str, str] = {k: pairs[k][:400] for k in ("description", "city") if k in pairs}
    return PageForm(values=dict(values), raw=dict(values))


def _search_of(form: PageForm) -> PageForm:
    """The search a form was sent from (its `back` address), to show the page as it was."""
    return _search(urlsplit(safe_next(form.value("back"), "/places")).query)


@router.post("/places/saved")
async def save(
    request: Request, viewer: FormViewer, scope: ScopeDep, places: PlacesDep
) -> Response:
    form = await PageForm.read(request)
    place_id = form.value("place_id")
    data: dict[str, Any] = {"place_id": place_id, "favorite": "favorite" in form.raw}
    if form.value("notes").strip():
        data["notes"] = form.value("notes").strip()
    body = form.validate_data(
        SavedPlaceIn, data, fields={("place_id",): FORM_ERROR}, messages=SAVE_MESSAGES
    )
    status = 422
    if body is not None:
        await submissions.once(request, scope, form, user_id=viewer.user.id, now=clock.now())
        try:
            item = await saved.save_place(
                scope, places=places, user=viewer.user, **body.model_dump()
            )
        except (Conflict, NotFound) as exc:  # saved already; a place this player cannot see
            form.errors[FORM_ERROR] = exc.message
            status = exc.status_code
        else:
            text = f"“{item.name}” saved{' as a favourite' if item.favorite else ''}."
            to = safe_next(form.value("back"), "/places")
            flash = Flash("success", text, section="saved")
            return await submissions.done(request, scope, form, to=f"{to}#saved", flash=flash)
    page = await places_page(
        request, viewer, scope, places, search=_search_of(form), status=status,
        save_forms={place_id: form},
    )  # fmt: skip
    raise ShowPage(page)


@router.post("/places/saved/{saved_id}")
async def update_saved(
    saved_id: IdPath, request: Request, viewer: FormViewer, scope: ScopeDep, places: PlacesDep
) -> Response:
    form = await PageForm.read(request)
    data = {"notes": form.value("notes").strip() or None, "favorite": "favorite" in form.raw}
    body = form.validate_data(SavedPlacePatch, data, messages={"notes": NOTES_MESSAGE})
    if body is None:
        page = await places_page(
            request, viewer, scope, places, search=_search_of(form), status=422,
            save_forms={f"saved-{saved_id}": form},
        )  # fmt: skip
        raise ShowPage(page)
    await submissions.once(request, scope, form, user_id=viewer.user.id, now=clock.now())
    item = await saved.update_saved(
        scope,
        user=viewer.user,
        saved_id=saved_id,
        notes=body.notes,
        favorite=body.favorite,
        clear_notes=body.notes is None,
    )
    flash = Flash("success", f"“{item.name}” updated.", section="saved")
    to = safe_next(form.value("back"), "/places")
    return await submissions.done(request, scope, form, to=f"{to}#saved", flash=flash)


@router.post("/places/saved/{saved_id}/delete")
async def delete_saved(
    saved_id: IdPath, request: Request, viewer: FormViewer, scope: ScopeDep
) -> Response:
    form = await PageForm.read(request)
    await submissions.once(request, scope, form, user_id=viewer.user.id, now=clock.now())
    await saved.delete_saved(scope, user=viewer.user, saved_id=saved_id)
    flash = Flash("success", "Saved place removed.", section="saved")
    to = safe_next(form.value("back"), "/places")
    return await submissions.done(request, scope, form, to=f"{to}#saved", flash=flash)


@router.post("/places/own")
async def add_own(
    request: Request, viewer: FormViewer, scope: ScopeDep, places: PlacesDep
) -> Response:
    form = await PageForm.read(request)
    body = form.validate(
        HouseholdPlaceIn,
        optional=("country", "rating", "website"),
        defaults=("description",),
        messages=OWN_MESSAGES,
    )
    if body is None:
        page = await places_page(
            request, viewer, scope, places, search=_search_of(form), status=422, own=form
        )
        raise ShowPage(page)
    await submissions.once(request, scope, form, user_id=viewer.user.id, now=clock.now())
    added = await service.add_household_place(
        scope, places=places, user=viewer.user, fields=body.model_dump()
    )
    text = f"“{added['name']}” added: the household can now find it in {added['city']}."
    flash = Flash("success", text, section="own")
    return await submissions.done(request, scope, form, to="/places#own", flash=flash)


@router.get("/places/{part:path}")
async def places_form_address(part: str) -> Response:
    """A form's address opened directly: the page itself."""
    return redirect_response("/places")
