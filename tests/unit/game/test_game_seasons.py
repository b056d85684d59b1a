"""§7 season changes: each refusal, in the rule book's order."""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from lifeworld.game.errors import GameRuleError
from lifeworld.game.seasons import (
    allowed_season_moves,
    change_season,
    check_season_change,
    days_in_season,
)
from lifeworld.game.state import PlayerState, Season

SP, SU, AU, WI = Season.SPRING, Season.SUMMER, Season.AUTUMN, Season.WINTER
STARTED = date(2025, 1, 1)
OLD_ENOUGH = STARTED + timedelta(days=28)
TOO_YOUNG = STARTED + timedelta(days=27)


def refusal(current: Season, today: date, target: Season, water: int) -> str | None:
    try:
        check_season_change(current, STARTED, today, target, Decimal(water))
    except GameRuleError as refused:
        return refused.code
    return None


@pytest.mark.parametrize(
    ("current", "today", "target", "water", "code"),
    [
        (SP, OLD_ENOUGH, SP, 50, "same_season"),
        (SP, TOO_YOUNG, SP, 10, "same_season"),  # checked first
        (SP, TOO_YOUNG, SU, 50, "season_too_short"),
        (WI, TOO_YOUNG, SU, 10, "season_too_short"),  # before the winter and water rules
        (WI, OLD_ENOUGH, SU, 50, "winter_only_to_spring"),
        (WI, OLD_ENOUGH, AU, 50, "winter_only_to_spring"),
        (WI, OLD_ENOUGH, SU, 10, "winter_only_to_spring"),  # before the water rules
        (WI, OLD_ENOUGH, SP, 19, "water_requires_winter"),
        (SP, OLD_ENOUGH, AU, 19, "water_requires_winter"),
        (SP, OLD_ENOUGH, SU, 19, "water_requires_winter"),  # before water_blocks_summer
        (SP, OLD_ENOUGH, SU, 29, "water_blocks_summer"),
        (AU, OLD_ENOUGH, SU, 29, "water_blocks_summer"),
        # allowed
        (SP, OLD_ENOUGH, SU, 30, None),
        (SP, OLD_ENOUGH, AU, 20, None),
        (SP, OLD_ENOUGH, WI, 0, None),
        (WI, OLD_ENOUGH, SP, 20, None),
        (SU, OLD_ENOUGH, WI, 50, None),
    ],
)
def test_refusals_in_order(
    current: Season, today: date, target: Season, water: int, code: str | None
) -> None:
    assert refusal(current, today, target, water) == code


def test_refusal_messages_and_details() -> None:
    with pytest.raises(GameRuleError) as refused:
        check_season_change(SP, STARTED, STARTED + timedelta(days=20), SU, 50)
    assert refused.value.details == {"days_in_season": 20, "days_left": 8}
    assert "28" in refused.value.message


def test_allowed_moves() -> None:
    moves = {
        m.season: (m.allowed, m.code) for m in allowed_season_moves(SP, STARTED, OLD_ENOUGH, 25)
    }
    assert moves == {
        SP: (False, "same_season"),
        SU: (False, "water_blocks_summer"),
        AU: (True, None),
        WI: (True, None),
    }
    assert all(m.message for m in allowed_season_moves(WI, STARTED, TOO_YOUNG, 50))


def test_days_in_season() -> None:
    assert days_in_season(STARTED, STARTED) == 0
    assert days_in_season(STARTED, OLD_ENOUGH) == 28
    assert days_in_season(STARTED, STARTED - timedelta(days=3)) == 0


def test_change_season_records_the_one_that_ended() -> None:
    state = replace(PlayerState.new(STARTED), energy=40)
    new_state, ended = change_season(state, WI, today=OLD_ENOUGH, reason="tired")
    assert (new_state.season, new_state.season_started_on) == (WI, OLD_ENOUGH)
    assert (ended.season, ended.started_on, ended.ended_on, ended.reason) == (
        SP,
        STARTED,
        OLD_ENOUGH,
        "tired",
    )
    assert ended.resources_at_end == state.resources
    with pytest.raises(GameRuleError):
        change_season(new_state, SP, today=OLD_ENOUGH)
