"""Choices offered by forms: IANA timezone names and the hours a day may start at."""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import available_timezones

# Aliases kept for old software; people look for a city.
_LEGACY_PREFIXES = ("Etc/", "SystemV/", "US/", "posix", "right/", "Brazil/", "Canada/", "Chile/")
_REGIONS = (
    "Africa/",
    "America/",
    "Antarctica/",
    "Arctic/",
    "Asia/",
    "Atlantic/",
    "Australia/",
    "Europe/",
    "Indian/",
    "Pacific/",
)


@lru_cache(maxsize=1)
def timezone_names() -> tuple[str, ...]:
    """City-style IANA names (Europe/London …) and UTC, sorted, for a searchable list."""
    names = {
        name
        for name in available_timezones()
        if name.startswith(_REGIONS) and not name.startswith(_LEGACY_PREFIXES)
    }
    return ("UTC", *sorted(names))


def day_start_hours() -> list[tuple[int, str]]:
    """0–23 with a readable label."""
    labels = {0: "00:00 (midnight)", 12: "12:00 (noon)"}
    return [(hour, labels.get(hour, f"{hour:02d}:00")) for hour in range(24)]
