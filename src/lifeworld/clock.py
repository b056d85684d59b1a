"""The one clock the whole app reads, so tests and demos can move time (API.md: testing clock)."""

from __future__ import annotations

import time
from datetime import UTC, datetime


class Clock:
    """Wall-clock time in UTC, optionally pinned to a fixed instant (only in LIFEWORLD_ENV=test)."""

    def __init__(self) -> None:
        self._pinned: datetime | None = None

    def now(self) -> datetime:
        return self._pinned if self._pinned is not None else datetime.now(UTC)

    def timestamp(self) -> float:
        """`now()` as POSIX seconds (read on every cache lookup: skips making a datetime)."""
        return self._pinned.timestamp() if self._pinned is not None else time.time()

    @property
    def pinned(self) -> datetime | None:
        return self._pinned

    def pin(self, instant: datetime | None) -> None:
        """Freeze time at `instant` (timezone-aware), or return to real time with None."""
        if instant is not None and instant.tzinfo is None:
            raise ValueError("the clock needs a timezone-aware instant")
        self._pinned = instant.astimezone(UTC) if instant is not None else None


clock = Clock()
