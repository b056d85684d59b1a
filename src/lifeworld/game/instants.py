"""Arithmetic on stored instants that never overflows (issue 20, item 1).

A stored instant may sit at the edge of what Python's `datetime` holds (year 1 or 9999: an
old import, a hand-edited row). Adding a duration to it, or reading it in a time zone, then
overflows; these functions clamp to the representable range instead, so a reading of the
state is total whatever was stored.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo

EARLIEST = datetime.min.replace(tzinfo=UTC)
LATEST = datetime.max.replace(tzinfo=UTC)


def shifted(instant: datetime, delta: timedelta) -> datetime:
    """`instant + delta`, or the earliest or latest instant when that is out of range."""
    try:
        return instant + delta
    except OverflowError:
        return LATEST if delta > timedelta(0) else EARLIEST


def shifted_day(day: date, days: int) -> date:
    """`day` moved by whole days, clamped to year 1 … 9999."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


def in_zone(instant: datetime, zone: tzinfo | None) -> datetime | None:
    """The instant on the zone's wall clock, or None when that local time is past year 1 … 9999."""
    try:
        return instant.astimezone(zone)
    except (OverflowError, ValueError):
        return None
