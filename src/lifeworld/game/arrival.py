"""When a logged activity counts: the time it happened, as sent by a phone that may have been
offline (GAME_RULES.md §3.1, docs/OFFLINE.md).

A time within the player's current game day is kept as given. A time before the day's start (a
queued activity whose day closed while it waited) cannot reopen a closed day: the activity is
recorded at its arrival, counts on the current day, and is marked late. A time too far ahead
(a wrong clock) or too far back (a queue forgotten for a week) is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

MAX_AHEAD = timedelta(minutes=5)  # a phone's clock may run a little fast
MAX_BEHIND = timedelta(days=7)  # an offline queue older than this is not trusted


class ArrivalRefused(ValueError):
    """The time given is outside what the rule accepts; the message says why."""


@dataclass(frozen=True)
class Arrival:
    """The instant an activity is recorded at, and whether it arrived after its day closed."""

    at: datetime
    late: bool


def place_arrival(
    occurred_at: datetime | None, *, now: datetime, day_started_at: datetime
) -> Arrival:
    """Where an activity sent at `now` with `occurred_at` goes; raises `ArrivalRefused`.

    Both bounds are inclusive: exactly 5 minutes ahead or exactly 7 days back is accepted.
    """
    for instant in (occurred_at, now, day_started_at):
        if instant is not None and (instant.tzinfo is None or instant.utcoffset() is None):
            raise ValueError("arrival times need a timezone-aware instant")
    if occurred_at is None:
        return Arrival(now, late=False)
    if occurred_at > now + MAX_AHEAD:
        raise ArrivalRefused(
            "occurred_at is more than 5 minutes in the future; check the device's clock."
        )
    if occurred_at < now - MAX_BEHIND:
        raise ArrivalRefused("occurred_at is more than 7 days back; such an old entry is refused.")
    if occurred_at < day_started_at:
        return Arrival(now, late=True)
    return Arrival(occurred_at.astimezone(UTC), late=False)  # the instant given, in UTC
