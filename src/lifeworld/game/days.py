"""Game-day numbering in the player's own timezone, DST-safe (GAME_RULES.md §6).

A player's day N runs from `day_start_hour` on local date N to that hour on N + 1. Comparing the
local *wall-clock* hour (not elapsed hours since midnight) makes the numbering DST-safe: a missing
hour on a spring-forward night never skips a day, a repeated hour on a fall-back night never
starts one twice. After a timezone change the new numbering may be behind the last rolled day;
the rollover then does nothing, so no day is ever replayed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from lifeworld.game.instants import EARLIEST, LATEST


def zone(tz: ZoneInfo | str) -> ZoneInfo:
    """A ZoneInfo from a zone or its IANA name."""
    return tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)


def _require_aware(instant: datetime) -> None:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("game-day arithmetic needs a timezone-aware instant")


def game_day(instant: datetime, tz: ZoneInfo | str, day_start_hour: int) -> date:
    """The game day of an instant: its local date, or the date before if before the start hour."""
    _require_aware(instant)
    local = instant.astimezone(zone(tz))
    return local.date() if local.hour >= day_start_hour else local.date() - timedelta(days=1)


def _wall(instant: datetime, tz: ZoneInfo) -> datetime:
    return instant.astimezone(tz).replace(tzinfo=None)


def day_start(day: date, tz: ZoneInfo | str, day_start_hour: int) -> datetime:
    """The UTC instant at which game day `day` begins.

    When the start hour does not exist that night (spring forward), the day begins at the first
    instant whose local wall time is at or after it, i.e. the transition itself. When it exists
    twice (fall back), the day begins at the first occurrence. A day at the edge of the
    calendar whose start is outside year 1 … 9999 in UTC begins at the earliest or latest instant.
    """
    try:
        return _day_start(day, zone(tz), day_start_hour)
    except OverflowError:
        return LATEST if day.year > 1 else EARLIEST


def _day_start(day: date, tzinfo: ZoneInfo, day_start_hour: int) -> datetime:
    wall = datetime.combine(day, time(day_start_hour))
    first = wall.replace(tzinfo=tzinfo, fold=0).astimezone(UTC)
    if _wall(first, tzinfo) == wall:
        return first
    # In a gap, fold=1 reads the wall time with the later offset (an instant before the jump)
    # and fold=0 with the earlier one (after it); offsets are whole seconds, so bisect seconds.
    low = int(wall.replace(tzinfo=tzinfo, fold=1).timestamp())
    high = int(first.timestamp())
    while high - low > 1:
        middle = (low + high) // 2
        if _wall(datetime.fromtimestamp(middle, UTC), tzinfo) >= wall:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


def next_boundary(instant: datetime, tz: ZoneInfo | str, day_start_hour: int) -> datetime:
    """The UTC instant at which the game day after the one containing `instant` begins."""
    _require_aware(instant)
    current = game_day(instant, tz, day_start_hour)
    boundary = day_start(current + timedelta(days=1), tz, day_start_hour)
    # A calendar that skips a whole date (Samoa, 30 Dec 2011) can place that start in the past.
    while boundary <= instant:
        current += timedelta(days=1)
        boundary = day_start(current + timedelta(days=1), tz, day_start_hour)
    return boundary


def seconds_until_next_day(instant: datetime, tz: ZoneInfo | str, day_start_hour: int) -> int:
    """Whole seconds until the next day begins (for cache expiry and the live countdown)."""
    remaining = next_boundary(instant, tz, day_start_hour) - instant
    return max(0, int(remaining.total_seconds()))
