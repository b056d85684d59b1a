"""The energy page: today's energy, logging sleep (with its restoration), history and boosts.

Same services as `energy/api.py`: `energy`, `log_sleep`, `list_sleep`, `add_boost`.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response

from lifeworld.activities import service as activities
from lifeworld.clock import clock
from lifeworld.db.scope import Scope
from lifeworld.db.session import ScopeDep
from lifeworld.energy import service
from lifeworld.energy.schemas import BoostIn, SleepIn, SleepResultOut
from lifeworld.errors import InvalidField
from lifeworld.game.sleep import DRAIN_PER_HOUR, BoostKind
from lifeworld.players import service as players
from lifeworld.web import charts, submissions
from lifeworld.web.deps import FormViewer, PageViewer, Viewer
from lifeworld.web.flash import Flash
from lifeworld.web.forms import PageForm, ShowPage
from lifeworld.web.labels import decimal
from lifeworld.web.templating import redirect_response, render

router = APIRouter(include_in_schema=False)

HISTORY_DAYS = 30
CHART_DAYS = 14
SLEEP_MESSAGES = {
    "date": "Enter the date of the night (the day you woke up).",
    "hours": "Enter hours slept, from 0 to 24 (for example 7.5).",
    "quality": "Choose a quality from 1 to 10.",
    "bed_time": "Enter a time like 23:15.",
    "wake_time": "Enter a time like 07:00.",
    "notes": "Use at most 1000 characters.",
}
BOOST_MESSAGES = {
    "type": "Choose what kind of boost it was.",
    "amount": "Enter an amount from 0 to 100.",
    "duration_min": "Enter minutes from 1 to 1440.",
    "decay_per_hour": "Enter a decay from 0 to 100 per hour.",
}


async def energy_page(
    request: Request, viewer: Viewer, scope: Scope, *, status: int = 200, **forms: PageForm
) -> Response:
    """Energy now, the sleep and boost forms, the last nights and a picture of two weeks."""
    now = clock.now()
    state = await players.get_state(scope, user=viewer.user, now=now)
    today = state.day.today
    status_out = await service.energy(scope, user=viewer.user, now=now)
    nights = await service.list_sleep(
        scope, user=viewer.user, now=now, start=today - timedelta(days=HISTORY_DAYS - 1), end=None
    )
    totals = await activities.daily_totals(
        scope, user=viewer.user, since=today - timedelta(days=CHART_DAYS - 1)
    )
    chart = charts.energy_over_days(
        {t.day: t.energy for t in totals},
        {n.date: n.restoration for n in nights},
        end=today,
        days=CHART_DAYS,
    )
    blank = {
        "sleep": PageForm.blank(date=today.isoformat(), quality="7"),
        "boost": PageForm.blank(type=BoostKind.CAFFEINE.value, duration_min="120"),
    }
    return render(
        request,
        "energy/index.html",
        viewer=viewer,
        status=status,
        sections=("sleep", "boost"),
        state=state,
        energy=status_out,
        nights=nights,
        chart=chart,
        now=now,
        drain_per_hour=DRAIN_PER_HOUR,
        boost_kinds=[k.value for k in BoostKind],
        forms={**blank, **forms},
    )


@router.get("/energy")
async def energy(request: Request, viewer: PageViewer, scope: ScopeDep) -> Response:
    return await energy_page(request, viewer, scope)


def slept_message(result: SleepResultOut) -> str:
    """What a sleep log did, for the message after it."""
    night = result.sleep
    text = (
        f"Slept {decimal(night.hours, 2)} h ({night.quality_label}) on {night.date:%-d %B}: "
        f"restoration {night.restoration}."
    )
    if result.energy_restored:
        text += f" +{result.energy_restored} energy: {result.energy.usable} of {result.energy.cap}."
    elif night.restoration:
        text += " No energy added (only last night counts, and never past your cap)."
    return text


@router.post("/energy/sleep")
async def log_sleep(request: Request, viewer: FormViewer, scope: ScopeDep) -> Response:
    form = await PageForm.read(request)
    body = form.validate(
        SleepIn, optional=("bed_time", "wake_time", "notes"), messages=SLEEP_MESSAGES
    )
    if body is None:
        raise ShowPage(await energy_page(request, viewer, scope, status=422, sleep=form))
    await submissions.once(request, scope, form, user_id=viewer.user.id, now=clock.now())
    try:
        result = await service.log_sleep(scope, user=viewer.user, now=clock.now(), body=body)
    except InvalidField as exc:
        form.reject(exc)
        raise ShowPage(await energy_page(request, viewer, scope, status=422, sleep=form)) from None
    flash = Flash("success", slept_message(result), section="sleep")
    return await submissions.done(request, scope, form, to="/energy#sleep", flash=flash)


@router.post("/energy/boosts")
async def add_boost(request: Request, viewer: FormViewer, scope: ScopeDep) -> Response:
    form = await PageForm.read(request)
    body = form.validate(BoostIn, messages=BOOST_MESSAGES)
    if body is None:
        raise ShowPage(await energy_page(request, viewer, scope, status=422, boost=form))
    await submissions.once(request, scope, form, user_id=viewer.user.id, now=clock.now())
    boost = await service.add_boost(scope, user=viewer.user, now=clock.now(), body=body)
    text = (
        f"{boost.type.value.title()} boost of {boost.amount} noted for {boost.duration_min} min. "
        "It shows how you feel; it is not spendable energy."
    )
    flash = Flash("success", text, section="boost")
    return await submissions.done(request, scope, form, to="/energy#boost", flash=flash)


@router.get("/energy/{part:path}")
async def energy_form_address(part: str) -> Response:
    """A form's address opened directly: the page itself."""
    return redirect_response("/energy")
