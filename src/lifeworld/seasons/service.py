"""Changing season (§7) and reading the history."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from lifeworld.accounts.models import User
from lifeworld.db.scope import Scope
from lifeworld.game.seasons import EndedSeason, allowed_season_moves, change_season, days_in_season
from lifeworld.game.state import Resources, Season
from lifeworld.players.context import PlayerContext, open_player
from lifeworld.players.schemas import ResourcesOut, SeasonOut, StateOut
from lifeworld.players.state_document import build_state
from lifeworld.seasons.models import SeasonRecord
from lifeworld.seasons.schemas import SeasonHistoryOut, SeasonMoveOut, SeasonsOut


def resources_json(resources: Resources) -> dict[str, str | int]:
    return {
        "oxygen": str(resources.oxygen),
        "water": str(resources.water),
        "gold": str(resources.gold),
        "armor": resources.armor,
        "keys": resources.keys,
    }


def _resources_out(stored: Mapping[str, str | int]) -> ResourcesOut:
    return ResourcesOut(
        oxygen=Decimal(str(stored["oxygen"])),
        water=Decimal(str(stored["water"])),
        gold=Decimal(str(stored["gold"])),
        armor=int(stored["armor"]),
        keys=int(stored["keys"]),
    )


def record_ended(ctx: PlayerContext, ended: EndedSeason) -> None:
    """Keep the season that ended, with the resources at its end (the original kept the start's)."""
    ctx.scope.session.add(
        SeasonRecord(
            user_id=ctx.user.id,
            season=ended.season.value,
            started_on=ended.started_on,
            ended_on=ended.ended_on,
            reason=ended.reason,
            resources_at_end=resources_json(ended.resources_at_end),
            recorded_at=ctx.now,
        )
    )


async def change(
    scope: Scope, *, user: User, now: datetime, season: Season, reason: str | None
) -> StateOut:
    """Move to another season when the rules allow it."""
    ctx = await open_player(scope, user=user, now=now)
    state, ended = change_season(ctx.state, season, today=ctx.today, reason=reason)
    record_ended(ctx, ended)
    await ctx.save(state)
    return build_state(ctx)


async def seasons(scope: Scope, *, user: User, now: datetime) -> SeasonsOut:
    """The current season, the ended ones newest first, and which moves are allowed now."""
    ctx = await open_player(scope, user=user, now=now, for_update=False)
    state = ctx.state
    rows = await scope.session.scalars(
        select(SeasonRecord)
        .where(SeasonRecord.user_id == user.id)
        .order_by(SeasonRecord.ended_on.desc(), SeasonRecord.id.desc())
    )
    moves = allowed_season_moves(
        state.season, state.season_started_on, ctx.today, state.resources.water
    )
    return SeasonsOut(
        current=SeasonOut(
            name=state.season,
            started_on=state.season_started_on,
            days_in_season=days_in_season(state.season_started_on, ctx.today),
        ),
        history=[
            SeasonHistoryOut(
                season=Season(r.season),
                started_on=r.started_on,
                ended_on=r.ended_on,
                reason=r.reason,
                resources_at_end=_resources_out(r.resources_at_end),
            )
            for r in rows
        ],
        moves=[
            SeasonMoveOut(season=m.season, allowed=m.allowed, code=m.code, message=m.message)
            for m in moves
        ],
    )
