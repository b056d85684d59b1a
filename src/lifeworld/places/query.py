"""What a search asks for, read from the words a person typed (pure: no I/O).

"quiet cafe with wifi" names a kind of place (a venue word, "cafe") and says what it should be
like (quiet, wifi); "Café de Flore" and "Eiffel Tower" name one place. A provider is asked for the
name when there is one, else for the kind of place; the describing words only rank the answers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from lifeworld.game.places import CATEGORY_WORDS, STOP_WORDS, words

# How OpenStreetMap's search names each kind of place. A special phrase ("cafe" means
# amenity=cafe) finds places of that kind; other words match the places' own names.
CATEGORY_PHRASES: dict[str, str] = {
    "cafe": "cafe", "restaurant": "restaurant", "park": "park", "gym": "fitness centre",
    "library": "library", "coworking": "coworking space", "museum": "museum", "bar": "bar",
    "landmark": "attraction",
}  # fmt: skip
# Words better asked for as they are: a kind of food is in names ("Joe's Pizza"), not in a tag.
WORD_PHRASES: dict[str, tuple[str, bool]] = {
    "pizza": ("pizza", False), "sushi": ("sushi", False), "pub": ("pub", True),
    "pubs": ("pub", True), "pool": ("swimming pool", True), "garden": ("garden", True),
    "gardens": ("garden", True), "gallery": ("gallery", True), "market": ("marketplace", True),
    "yoga": ("yoga", False), "climbing": ("climbing", False), "bookshop": ("bookshop", True),
}  # fmt: skip
# Words that say what a place should be like, not what it is called.
_DESCRIBING_TEXT = (
    "quiet calm peaceful cosy cozy wifi wi fi internet laptop work working study studying read "
    "reading run running jog jogging walk walking cheap affordable good great best nice lovely "
    "little small big large open late early night morning evening afternoon weekend today "
    "tonight kids kid children family friendly dog dogs outdoor outdoors outside terrace view "
    "views sunny free local new old popular hidden romantic vegan vegetarian gluten halal kosher "
    "organic italian french chinese japanese indian thai mexican turkish greek spanish korean "
    "vietnamese lebanese space spaces spot spots live music craft date meet meeting friends "
    "breakfast sit seats plugs sockets power rainy day ideal perfect top famous"
)
DESCRIBING_WORDS = frozenset(_DESCRIBING_TEXT.split())
CITY_POPULATION = 100_000  # a city named at the end of a description must be at least this big
# "Gare de Lyon" and "Tower of London" are names, not a place in a city.
_NAME_LINK_TEXT = "of de du des d di da del della von van la le the st saint"
NAME_LINKS = frozenset(_NAME_LINK_TEXT.split())
_TOKEN = re.compile(r"[^\s,;]+")


@dataclass(frozen=True, slots=True)
class Venue:
    phrase: str  # "cafe", "fitness centre", "pizza"
    special: bool  # an OpenStreetMap special phrase (a kind of place), not words of a name


@dataclass(frozen=True, slots=True)
class Wanted:
    """One search as a provider should hear it."""

    name: str | None = None  # a place's own name as typed: "Café de Flore"
    venue: Venue | None = None  # the kind of place: the first venue word's phrase


def _content(word: str) -> bool:
    return word not in STOP_WORDS and word not in DESCRIBING_WORDS


def _venue(word: str) -> Venue | None:
    if word in WORD_PHRASES:
        return Venue(*WORD_PHRASES[word])
    category = CATEGORY_WORDS.get(word)
    phrase = CATEGORY_PHRASES.get(category or "")
    return Venue(phrase, True) if phrase else None


def interpret(description: str) -> Wanted:
    """The name (if the words look like one) and the kind of place a description asks for."""
    tokens = [(m.group(), words(m.group())) for m in _TOKEN.finditer(description)]
    venue = next((v for _, ws in tokens for w in ws if (v := _venue(w)) is not None), None)
    named = [i for i, (_, ws) in enumerate(tokens) if any(_content(w) for w in ws)]
    names_a_place = any(
        _content(w) and _venue(w) is None and w not in CATEGORY_WORDS
        for i in named
        for w in tokens[i][1]
    )
    if not names_a_place:
        return Wanted(None, venue)
    name = " ".join(text for text, _ in tokens[named[0] : named[-1] + 1])
    return Wanted(name.strip(" .!?"), venue)


def split_city(
    description: str, is_city: Callable[[str], bool], *, longest: int = 3
) -> tuple[str, str | None]:
    """ "museum Tokyo" → ("museum", "Tokyo"): a known city named at the end, when no city was given.

    Only the last one to three words are tried, never the whole description, and never after
    a word that links a name ("Gare de Lyon").
    """
    tokens = list(_TOKEN.finditer(description))
    for size in range(min(longest, len(tokens) - 1), 0, -1):
        if set(words(tokens[-size - 1].group())) & NAME_LINKS:
            continue
        start = tokens[-size].start()
        city = description[start:].strip()
        if is_city(city):
            rest = description[:start].strip()
            rest = re.sub(r"(?i)[\s,]+(in|near|around|at)$", "", rest).strip(" ,")
            if words(rest):
                return rest, city
    return description, None


def area_radius_km(population: int) -> float:
    """How far around a city's centre its places are looked for: 3 km for a village, ~23 for
    London or Tokyo (the square root follows a city's width, not its head count)."""
    return min(30.0, 3.0 + math.sqrt(max(0, population)) / 150.0)


def viewbox(lat: float, lon: float, radius_km: float) -> tuple[float, float, float, float]:
    """West, south, east and north edges of the square `radius_km` around a point."""
    dlat = radius_km / 111.0
    dlon = radius_km / (111.0 * max(0.05, math.cos(math.radians(lat))))
    return (lon - dlon, lat - dlat, lon + dlon, lat + dlat)
