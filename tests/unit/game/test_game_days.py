"""Game-day numbering across DST nights and timezone moves (§6)."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from lifeworld.game.days import day_start, game_day, next_boundary, seconds_until_next_day
from lifeworld.game.rollover import roll_over
from lifeworld.game.state import PlayerState

LONDON, NEW_YORK = ZoneInfo("Europe/London"), ZoneInfo("America/New_York")
# (zone, the date of the DST change)
NIGHTS = [
    (LONDON, date(2025, 3, 30)),  # 01:00 GMT → 02:00 BST
    (LONDON, date(2025, 10, 26)),  # 02:00 BST → 01:00 GMT
    (NEW_YORK, date(2025, 3, 9)),  # 02:00 EST → 03:00 EDT
    (NEW_YORK, date(2025, 11, 2)),  # 02:00 EDT → 01:00 EST
]


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(("tz", "night"), NIGHTS)
@pytest.mark.parametrize("hour", [0, 1, 2, 4])
def test_walking_a_dst_night_never_skips_or_repeats_a_day(
    tz: ZoneInfo, night: date, hour: int
) -> None:
    start = datetime.combine(night - timedelta(days=1), datetime.min.time(), tzinfo=tz).replace(
        hour=12
    )
    instant, end = start.astimezone(UTC), (start + timedelta(days=2)).astimezone(UTC)
    days = []
    previous: tuple[datetime, date] | None = None
    while instant <= end:
        current = game_day(instant, tz, hour)
        if previous is not None:
            before, before_day = previous
            assert current - before_day in (timedelta(0), timedelta(days=1))
            if current != before_day:  # the change happens exactly at the computed boundary
                boundary = next_boundary(before, tz, hour)
                assert before < boundary <= instant
                assert game_day(boundary, tz, hour) == current
                assert game_day(boundary - timedelta(seconds=1), tz, hour) == before_day
        days.append(current)
        previous = (instant, current)
        instant += timedelta(minutes=15)
    assert sorted(set(days)) == [night - timedelta(days=1), night, night + timedelta(days=1)]


@pytest.mark.parametrize(
    ("tz", "day", "hour", "begins"),
    [
        (LONDON, date(2025, 3, 30), 0, utc(2025, 3, 30, 0, 0)),
        (LONDON, date(2025, 3, 30), 1, utc(2025, 3, 30, 1, 0)),  # 01:00 does not exist: 02:00 BST
        (LONDON, date(2025, 3, 30), 2, utc(2025, 3, 30, 1, 0)),  # 02:00 BST
        (LONDON, date(2025, 3, 30), 4, utc(2025, 3, 30, 3, 0)),
        (LONDON, date(2025, 10, 26), 1, utc(2025, 10, 26, 0, 0)),  # the first 01:00 (BST)
        (LONDON, date(2025, 10, 26), 2, utc(2025, 10, 26, 2, 0)),  # 02:00 GMT
        (NEW_YORK, date(2025, 3, 9), 2, utc(2025, 3, 9, 7, 0)),  # 02:00 missing: 03:00 EDT
        (NEW_YORK, date(2025, 3, 9), 4, utc(2025, 3, 9, 8, 0)),
        (NEW_YORK, date(2025, 11, 2), 1, utc(2025, 11, 2, 5, 0)),  # the first 01:00 (EDT)
        (NEW_YORK, date(2025, 11, 2), 0, utc(2025, 11, 2, 4, 0)),
    ],
)
def test_day_start(tz: ZoneInfo, day: date, hour: int, begins: datetime) -> None:
    assert day_start(day, tz, hour) == begins
    assert game_day(begins, tz, hour) == day
    assert game_day(begins - timedelta(seconds=1), tz, hour) == day - timedelta(days=1)


def test_the_repeated_hour_stays_in_the_same_day() -> None:
    # London 26 Oct 2025: 00:30 UTC is 01:30 BST, 01:30 UTC is 01:30 GMT
    assert game_day(utc(2025, 10, 26, 0, 30), LONDON, 1) == date(2025, 10, 26)
    assert game_day(utc(2025, 10, 26, 1, 30), LONDON, 1) == date(2025, 10, 26)
    assert game_day(utc(2025, 11, 2, 6, 30), NEW_YORK, 1) == date(2025, 11, 2)


def test_day_lengths_on_dst_nights() -> None:
    def length(day: date) -> timedelta:
        return day_start(day + timedelta(days=1), LONDON, 0) - day_start(day, LONDON, 0)

    assert length(date(2025, 3, 30)) == timedelta(hours=23)
    assert length(date(2025, 10, 26)) == timedelta(hours=25)
    assert length(date(2025, 6, 1)) == timedelta(hours=24)


def test_game_day_before_and_after_the_start_hour() -> None:
    assert game_day(utc(2025, 6, 1, 3, 59), "UTC", 4) == date(2025, 5, 31)
    assert game_day(utc(2025, 6, 1, 4, 0), "UTC", 4) == date(2025, 6, 1)
    assert game_day(utc(2025, 6, 1, 0, 0), "Asia/Tokyo", 4) == date(2025, 6, 1)  # 09:00 JST


def test_next_boundary_and_countdown() -> None:
    now = utc(2025, 6, 1, 12, 0)
    assert next_boundary(now, "UTC", 4) == utc(2025, 6, 2, 4, 0)
    assert seconds_until_next_day(now, "UTC", 4) == 16 * 3600
    assert next_boundary(utc(2025, 6, 1, 4, 0), "UTC", 4) == utc(2025, 6, 2, 4, 0)


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        game_day(datetime(2025, 6, 1, 12), "UTC", 0)


def test_moving_from_tokyo_to_los_angeles_never_replays_a_day() -> None:
    tokyo, los_angeles, hour = "Asia/Tokyo", "America/Los_Angeles", 4
    moved_at = utc(2025, 6, 10, 2, 0)  # 11:00 in Tokyo, 19:00 the day before in Los Angeles
    instant = utc(2025, 6, 1, 0, 0)
    state = PlayerState.new(game_day(instant, tokyo, hour))
    applied: list[date] = []
    rolled_days = [state.last_rolled_day]
    behind = 0
    while instant < utc(2025, 6, 25):
        tz = tokyo if instant < moved_at else los_angeles
        today = game_day(instant, tz, hour)
        result = roll_over(state, today=today, recent_activities=[], active_engines=0)
        first = state.last_rolled_day + timedelta(days=1)
        applied += [first + timedelta(days=i) for i in range(result.days_applied)]
        state = result.state
        rolled_days.append(state.last_rolled_day)
        if instant >= moved_at and today < rolled_days[-2]:
            assert result.days_applied == 0  # the new zone is behind: nothing is replayed
            behind += 1
        instant += timedelta(hours=1)
    assert behind >= 9  # the hours after the move when Los Angeles was still on 9 June
    assert rolled_days == sorted(rolled_days)  # never backwards
    assert len(applied) == len(set(applied))  # no day twice
    assert applied == [applied[0] + timedelta(days=i) for i in range(len(applied))]  # no gap
    assert state.last_rolled_day == date(2025, 6, 24)  # 16:00 on 24 June in Los Angeles


def test_moving_east_applies_the_skipped_days_once() -> None:
    state = PlayerState.new(date(2025, 6, 9))
    # 19:00 on 9 June in Los Angeles is 11:00 on 10 June in Tokyo: one day passes at once
    today = game_day(utc(2025, 6, 10, 2, 0), "Asia/Tokyo", 4)
    result = roll_over(state, today=today, recent_activities=[], active_engines=0)
    assert (today, result.days_applied) == (date(2025, 6, 10), 1)
