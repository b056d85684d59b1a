"""The dashboard state of one player, built from the rules' outputs (no rule computed here)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from lifeworld.accounts.schemas import UserOut
from lifeworld.game.balance import balance_report
from lifeworld.game.capacity import burnout_risk
from lifeworld.game.days import day_start
from lifeworld.game.instants import LATEST, shifted_day
from lifeworld.game.ranks import category_level, rank_status
from lifeworld.game.seasons import days_in_season
from lifeworld.game.sleep import DRAIN_PER_HOUR, empty_at, energy_status
from lifeworld.game.state import CATEGORIES
from lifeworld.players import schemas as s
from lifeworld.players.context import PlayerContext

LIVE_STEP = timedelta(hours=1) / DRAIN_PER_HOUR  # the live energy drops by one every half hour


def build_state(ctx: PlayerContext) -> s.StateOut:
    """`GET /api/v1/me/state` for the context's player at the context's `now`.

    The document is put together as plain data and validated once, cheaper than making its
    fourteen models one by one (docs/PERFORMANCE.md).
    """
    state, now = ctx.state, ctx.now
    xp, resources, user = state.xp, state.resources, ctx.user
    rank = rank_status(xp.overall)
    energy = energy_status(state, now)
    balance = balance_report(xp.categories)
    loadout = ctx.loadout
    return s.StateOut.model_validate(
        {
            "user": {name: getattr(user, name) for name in _USER_FIELDS},
            "season": {
                "name": state.season,
                "started_on": state.season_started_on,
                "days_in_season": days_in_season(state.season_started_on, ctx.today),
            },
            "clouds": {c.value: state.clouds.get(c) for c in CATEGORIES},
            "resources": {
                "oxygen": resources.oxygen,
                "water": resources.water,
                "gold": resources.gold,
                "armor": resources.armor,
                "keys": resources.keys,
            },
            "energy": {
                "stored": energy.stored,
                "usable": energy.usable,
                "cap": energy.cap,
                "live": energy.live,
                "hours_until_empty": energy.hours_until_empty,
                "restored_at": state.energy_restored_at,
                "empty_at": empty_at(state.energy, energy.cap, state.energy_restored_at),
            },
            "xp": {
                "overall": xp.overall,
                "categories": xp.categories.as_dict(),
                "category_levels": {
                    c.value: category_level(xp.categories.get(c)) for c in CATEGORIES
                },
            },
            "rank": {
                "name": rank.rank.value,
                "level": rank.level,
                "xp_for_next": rank.xp_for_next,
                "progress_pct": rank.progress_pct,
            },
            "burnout": {
                "active": state.burnout_active,
                "since": state.burnout_since,
                "risk": burnout_risk(state.clouds.capacity),
            },
            "balance": {
                "balanced": balance.balanced,
                "average_level": float(balance.average_level),
                "warnings": [
                    {
                        "category": w.category.value,
                        "level": w.level,
                        "message": w.message,
                        "recommendation": w.recommendation,
                    }
                    for w in balance.warnings
                ],
            },
            "questionnaire_done": state.questionnaire_done,
            "active_loadout": {"id": loadout.id, "name": loadout.name} if loadout else None,
            "day": {"today": ctx.today, "next_day_at": next_day_at(ctx)},
            "version": ctx.version,
        }
    )


_USER_FIELDS = tuple(UserOut.model_fields)


def next_day_at(ctx: PlayerContext) -> datetime:
    """When the day after the open one begins (the next rollover); never, on the calendar's
    last day (a stored date can be that far ahead)."""
    if ctx.today == date.max:
        return LATEST
    return day_start(shifted_day(ctx.today, 1), ctx.user.timezone, ctx.user.day_start_hour)


def valid_until(ctx: PlayerContext, built: s.StateOut) -> datetime:
    """Until when the built state stays true without a write: the next day or live-energy step."""
    until = built.day.next_day_at
    restored = ctx.state.energy_restored_at
    if restored is not None and built.energy.live > 0 and ctx.now >= restored:
        steps = (ctx.now - restored) // LIVE_STEP + 1
        until = min(until, restored + steps * LIVE_STEP)
    return until
