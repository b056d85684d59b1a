"""Season changes (GAME_RULES.md §7)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from lifeworld.game.errors import (
    GameRuleError,
    SameSeason,
    SeasonTooShort,
    WaterBlocksSummer,
    WaterRequiresWinter,
    WinterOnlyToSpring,
)
from lifeworld.game.state import PlayerState, Resources, Season

MIN_SEASON_DAYS = 28
WATER_WINTER_ONLY = 20  # water below this: only WINTER
WATER_NO_SUMMER = 30  # water below this: not SUMMER

SEASON_PURPOSE: dict[Season, str] = {
    Season.SPRING: "planning and preparation",
    Season.SUMMER: "peak output",
    Season.AUTUMN: "harvest and consolidation",
    Season.WINTER: "rest and recovery",
}


@dataclass(frozen=True, slots=True)
class SeasonMove:
    season: Season
    allowed: bool
    code: str | None  # the refusal's code, None when allowed
    message: str | None


@dataclass(frozen=True, slots=True)
class EndedSeason:
    """The record kept of a season when the player leaves it."""

    season: Season
    started_on: date
    ended_on: date
    reason: str | None
    resources_at_end: Resources


def days_in_season(started_on: date, today: date) -> int:
    """Whole days since the season began (0 on its first day)."""
    return max(0, (today - started_on).days)


def check_season_change(
    current: Season, started_on: date, today: date, target: Season, water: Decimal | int
) -> None:
    """Raise the first rule that refuses the move, in the rule book's order."""
    if target is current:
        raise SameSeason(f"You are already in {current.value}.")
    days = days_in_season(started_on, today)
    if days < MIN_SEASON_DAYS:
        raise SeasonTooShort(
            f"A season lasts at least {MIN_SEASON_DAYS} days; this one is {days} days old.",
            {"days_in_season": days, "days_left": MIN_SEASON_DAYS - days},
        )
    if current is Season.WINTER and target is not Season.SPRING:
        raise WinterOnlyToSpring("From WINTER you can move only to SPRING.")
    if water < WATER_WINTER_ONLY and target is not Season.WINTER:
        raise WaterRequiresWinter(
            f"Water is below {WATER_WINTER_ONLY}: only WINTER is open until you recover.",
            {"water": str(water)},
        )
    if water < WATER_NO_SUMMER and target is Season.SUMMER:
        raise WaterBlocksSummer(
            f"Water is below {WATER_NO_SUMMER}: SUMMER needs more vitality.", {"water": str(water)}
        )


def allowed_season_moves(
    current: Season, started_on: date, today: date, water: Decimal | int
) -> list[SeasonMove]:
    """Every season with whether the player may move to it now, and why not."""
    moves: list[SeasonMove] = []
    for target in Season:
        try:
            check_season_change(current, started_on, today, target, water)
        except GameRuleError as refusal:
            moves.append(SeasonMove(target, False, refusal.code, refusal.message))
        else:
            moves.append(SeasonMove(target, True, None, None))
    return moves


def change_season(
    state: PlayerState, target: Season, *, today: date, reason: str | None = None
) -> tuple[PlayerState, EndedSeason]:
    """Start `target` today and return the record of the season that ended."""
    check_season_change(state.season, state.season_started_on, today, target, state.resources.water)
    ended = EndedSeason(state.season, state.season_started_on, today, reason, state.resources)
    return replace(state, season=target, season_started_on=today), ended
