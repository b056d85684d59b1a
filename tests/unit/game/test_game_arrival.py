"""The time an activity counts at (GAME_RULES.md §3.1, docs/OFFLINE.md): kept, late or refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from lifeworld.game.arrival import MAX_AHEAD, MAX_BEHIND, Arrival, ArrivalRefused, place_arrival

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
DAY_START = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)  # the game day began at 04:00


def place(occurred_at: datetime | None) -> Arrival:
    return place_arrival(occurred_at, now=NOW, day_started_at=DAY_START)


def test_the_bounds_are_five_minutes_ahead_and_seven_days_back() -> None:
    assert timedelta(minutes=5) == MAX_AHEAD
    assert timedelta(days=7) == MAX_BEHIND


def test_no_time_given_is_now_and_not_late() -> None:
    assert place(None) == Arrival(NOW, late=False)


@pytest.mark.parametrize(
    "occurred_at",
    [
        DAY_START,  # the first instant of the day is in it
        DAY_START + timedelta(seconds=1),
        NOW - timedelta(hours=3),
        NOW,
        NOW + timedelta(minutes=4, seconds=59),
        NOW + timedelta(minutes=5),  # exactly 5 minutes ahead is still accepted
    ],
)
def test_a_time_within_the_current_day_is_kept_as_given(occurred_at: datetime) -> None:
    assert place(occurred_at) == Arrival(occurred_at, late=False)


def test_another_offset_is_the_same_instant() -> None:
    paris = timezone(timedelta(hours=1))
    given = datetime(2026, 3, 2, 10, 30, tzinfo=paris)  # 09:30 UTC
    assert place(given) == Arrival(given, late=False)
    before = datetime(2026, 3, 2, 4, 59, tzinfo=paris)  # 03:59 UTC, before the day's start
    assert place(before) == Arrival(NOW, late=True)


@pytest.mark.parametrize(
    "occurred_at",
    [
        DAY_START - timedelta(microseconds=1),  # the last instant of the closed day
        DAY_START - timedelta(hours=5),
        NOW - timedelta(days=7),  # exactly 7 days back is still accepted
    ],
)
def test_a_time_before_the_day_start_counts_now_and_is_late(occurred_at: datetime) -> None:
    assert place(occurred_at) == Arrival(NOW, late=True)


def test_more_than_five_minutes_ahead_is_refused() -> None:
    with pytest.raises(ArrivalRefused, match="5 minutes in the future"):
        place(NOW + timedelta(minutes=5, microseconds=1))


def test_more_than_seven_days_back_is_refused() -> None:
    with pytest.raises(ArrivalRefused, match="7 days back"):
        place(NOW - timedelta(days=7, microseconds=1))


def test_a_naive_time_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        place(datetime(2026, 3, 2, 10, 0))


@pytest.mark.parametrize(
    "text",
    ["0001-01-01T00:00:00+01:00", "0001-01-01T00:00:00-23:59", "9999-12-31T23:59:59-01:00"],
)
def test_the_calendar_edges_are_refused_not_overflowed(text: str) -> None:
    with pytest.raises(ArrivalRefused):
        place(datetime.fromisoformat(text))
