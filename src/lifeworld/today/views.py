"""The home page: first-run and sign-in redirects, the questionnaire until it is done, then Today.

Everything shown comes from the game services (the same functions the JSON API calls):
`get_state` for the figures, the activity log, milestones, engines, the allowed season moves
and one-tap previews; the pictures are drawn from their numbers by `web.charts`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response

from lifeworld.accounts import households
from lifeworld.accounts.models import User
from lifeworld.activities import service as activities
from lifeworld.activities.schemas import ActivityOut, QuickPreviewOut
from lifeworld.clock import clock
from lifeworld.db.scope import Scope
from lifeworld.db.session import ScopeDep
from lifeworld.energy import service as energy
from lifeworld.engines import service as engines
from lifeworld.engines.schemas import EngineOut
from lifeworld.game.sleep import DRAIN_PER_HOUR
from lifeworld.game.state import ActivityType
from lifeworld.players import service as players
from lifeworld.players.schemas import MilestoneOut, StateOut
from lifeworld.players.views import welcome_page
from lifeworld.seasons import service as seasons
from lifeworld.seasons.schemas import SeasonsOut
from lifeworld.web import charts
from lifeworld.web.deps import OptionalViewer, Viewer
from lifeworld.web.forms import PageForm
from lifeworld.web.templating import redirect_response, render

router = APIRouter(include_in_schema=False)

QUICK_TYPES = (
    ActivityType.WORK_PROJECT,
    ActivityType.EXERCISE,
    ActivityType.LEARNING,
    ActivityType.SAVE_EXPENSES,
    ActivityType.REST,
)
DASHBOARD_SECTIONS = ("quick", "season", "recent")
XP_DAYS, ENERGY_DAYS, RECENT = 30, 14, 5


@dataclass(frozen=True)
class Today:
    """Everything the Today page shows, as the services answered it."""

    state: StateOut
    now: datetime
    quick: list[QuickPreviewOut]
    recent: list[ActivityOut]
    milestones: list[MilestoneOut]
    engines: list[EngineOut]
    seasons: SeasonsOut
    xp_chart: charts.Chart
    energy_chart: charts.Chart
    radar: charts.Chart
    drain_per_hour: int = DRAIN_PER_HOUR


async def load_today(
    scope: Scope, *, user: User, now: datetime, state: StateOut | None = None
) -> Today:
    """The player's state and everything around it for the Today page."""
    state = state or await players.get_state(scope, user=user, now=now)
    today = state.day.today
    totals = await activities.daily_totals(
        scope, user=user, since=today - timedelta(days=XP_DAYS - 1)
    )
    sleep = await energy.list_sleep(
        scope, user=user, now=now, start=today - timedelta(days=ENERGY_DAYS - 1), end=today
    )
    page = await activities.list_activities(scope, user=user, now=now, limit=RECENT, before=None)
    return Today(
        state=state,
        now=now,
        quick=await activities.quick_previews(scope, user=user, now=now, types=QUICK_TYPES),
        recent=page.items,
        milestones=await players.list_milestones(scope, user=user, now=now),
        engines=await engines.list_engines(scope, user=user, now=now),
        seasons=await seasons.seasons(scope, user=user, now=now),
        xp_chart=charts.xp_over_time({t.day: t.xp for t in totals}, end=today, days=XP_DAYS),
        energy_chart=charts.energy_over_days(
            {t.day: t.energy for t in totals},
            {s.date: s.restoration for s in sleep},
            end=today,
            days=ENERGY_DAYS,
        ),
        radar=charts.clouds_radar(state.clouds.model_dump()),
    )


async def today_page(
    request: Request,
    viewer: Viewer,
    scope: Scope,
    *,
    status: int = 200,
    state: StateOut | None = None,
    **forms: PageForm,
) -> Response:
    """Today, with any form given shown as it was sent (with its errors)."""
    data = await load_today(scope, user=viewer.user, now=clock.now(), state=state)
    blank = {"quick": PageForm.blank(), "season": PageForm.blank(), "save": PageForm.blank()}
    return render(
        request,
        "dashboard/index.html",
        viewer=viewer,
        status=status,
        sections=DASHBOARD_SECTIONS,
        d=data,
        forms={**blank, **forms},
    )


@router.get("/")
async def home(request: Request, scope: ScopeDep, viewer: OptionalViewer) -> Response:
    if viewer is None:
        return redirect_response("/setup" if await households.setup_needed(scope) else "/login")
    state = await players.get_state(scope, user=viewer.user, now=clock.now())
    if not state.questionnaire_done:
        return welcome_page(request, viewer, step=1, form=PageForm.blank())
    return await today_page(request, viewer, scope, state=state)
