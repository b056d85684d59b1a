"""What the places search tells a household, in its words (no settings, no API paths).

How an admin turns online search on is in README "Finding places", not on the page.
"""

from __future__ import annotations

OFFLINE = "Searching offline: only towns and your saved places."
OFFLINE_FOR_NOW = (
    "Searching offline for now: only towns and your saved places. Online search comes back by "
    "itself when the map service can be reached again."
)
UNKNOWN_CITY = (
    "We couldn't find a town called “{city}”. Check the spelling, or try a bigger town nearby."
)
NO_CITY = "Add a town or city to find places near it."


def unknown_city(city: str) -> str:
    return UNKNOWN_CITY.format(city=city.strip())
