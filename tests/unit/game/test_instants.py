"""Stored instants at the calendar's edges: arithmetic on them clamps, never overflows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from lifeworld.game.days import day_start
from lifeworld.game.instants import EARLIEST, LATEST, in_zone, shifted, shifted_day
from lifeworld.game.sleep import Boost, BoostKind, boost_status, empty_at

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
LAST = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
FIRST = datetime(1, 1, 1, tzinfo=UTC)


def test_shifted_clamps_at_both_ends() -> None:
    assert shifted(LAST, timedelta(hours=1)) == LATEST
    assert shifted(FIRST, -timedelta(hours=1)) == EARLIEST
    assert shifted(NOW, timedelta(hours=1)) == NOW + timedelta(hours=1)
    assert shifted_day(date.max, 1) == date.max
    assert shifted_day(date.min, -7) == date.min
    assert shifted_day(date(2026, 3, 2), -7) == date(2026, 2, 23)


def test_in_zone_is_none_past_the_calendar() -> None:
    assert in_zone(LAST, ZoneInfo("Europe/Paris")) is None
    assert in_zone(FIRST, ZoneInfo("America/New_York")) is None
    assert in_zone(NOW, ZoneInfo("Europe/Paris")) == NOW


def test_empty_at_of_a_restore_at_the_end_of_time() -> None:
    assert empty_at(100, 100, LAST) == LATEST
    assert empty_at(100, 100, NOW) == NOW + timedelta(hours=50)


def test_a_boost_started_at_either_end_of_time() -> None:
    late = boost_status(Boost(BoostKind.CAFFEINE, 10, 60, Decimal(2), LAST), NOW)
    assert (late.active, late.remaining, late.expires_at) == (True, 10, LATEST)
    early = boost_status(Boost(BoostKind.CAFFEINE, 10, 60, Decimal(2), FIRST), NOW)
    assert (early.active, early.remaining) == (False, 0)


def test_day_start_at_the_calendar_edges() -> None:
    assert day_start(date.min, "Asia/Tokyo", 4) == EARLIEST
    assert day_start(date.max, "America/New_York", 23) == LATEST
