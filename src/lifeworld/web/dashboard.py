"""The home page: the first-run and sign-in redirects, and "Your day" for a signed-in player.

The day shown here is read from the player's row through the rules (rank, season days); the
full dashboard of the game services (energy, resources, engines, activities) builds on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from lifeworld.accounts import service as accounts
from lifeworld.accounts.models import User
from lifeworld.clock import clock
from lifeworld.db.session import SessionDep
from lifeworld.errors import NotFound
from lifeworld.game.days import game_day
from lifeworld.game.ranks import RankStatus, next_rank, rank_status
from lifeworld.game.seasons import days_in_season
from lifeworld.game.state import CATEGORIES
from lifeworld.players.models import Player
from lifeworld.timezones import zone
from lifeworld.web.deps import OptionalViewer
from lifeworld.web.templating import redirect_response, render

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class DaySummary:
    """What the "Your day" page shows."""

    today: date
    local_hour: int
    rank: RankStatus
    next_rank: str | None
    xp: int
    season: str
    days_in_season: int
    clouds: dict[str, int]


async def day_summary(session: AsyncSession, *, user: User, now: datetime) -> DaySummary:
    """The player's rank, season and clouds as of `now` in their own day."""
    player = await session.scalar(select(Player).where(Player.user_id == user.id))
    if player is None:
        raise NotFound("This account has no game profile yet.")
    today = game_day(now, user.timezone, user.day_start_hour)
    return DaySummary(
        today=today,
        local_hour=now.astimezone(zone(user.timezone)).hour,
        rank=rank_status(player.xp_overall),
        next_rank=upcoming.value if (upcoming := next_rank(player.xp_overall)) else None,
        xp=player.xp_overall,
        season=player.season,
        days_in_season=days_in_season(player.season_started_on, today),
        clouds={c.value: int(getattr(player, c.value)) for c in CATEGORIES},
    )


@router.get("/")
async def home(request: Request, db: SessionDep, viewer: OptionalViewer) -> Response:
    if viewer is None:
        return redirect_response("/setup" if await accounts.setup_needed(db) else "/login")
    day = await day_summary(db, user=viewer.user, now=clock.now())
    return render(request, "dashboard/index.html", viewer=viewer, day=day)
