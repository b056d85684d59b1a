"""Place search: keywords from a description, and the 0–100 score of each place (GAME_RULES.md §16).

Score = keyword hits / keywords × 50, + 20 when the query's category word appears in the place
too, + 15 for rating ≥ 4.0, + 3 per shared word longer than 3 letters (at most 15); the sum is
rounded half away and capped at 100. Words are compared lower-case with accents removed
("café" = "cafe"); a place's words come from its name, category and description.

Ranking: a place whose name is exactly what was asked for ("Café de Flore") comes first; then
the higher score; among equal scores the place nearer the searched city's centre, then the name.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from lifeworld.game.rounding import round_half_away

OTHER = "other"
_STOP_WORD_TEXT = (
    "a an and any are as at be but by can for from get have i in into is it like looking me my "
    "near nearby need of on or place places some somewhere something that the there to want we "
    "where which while with would you "
    # the little words of French, Spanish, Italian and German names ("Café de Flore")
    "de du des la le les el del der die das di da"
)
STOP_WORDS = frozenset(_STOP_WORD_TEXT.split())
CATEGORY_WORDS: dict[str, str] = {
    **dict.fromkeys(("cafe", "cafes", "coffee", "espresso", "tea", "teahouse"), "cafe"),
    **dict.fromkeys(("restaurant", "restaurants", "food", "dinner", "lunch", "eat", "bistro",
                     "brunch", "pizza", "sushi"), "restaurant"),
    **dict.fromkeys(("park", "parks", "garden", "gardens", "nature", "picnic"), "park"),
    **dict.fromkeys(("gym", "fitness", "workout", "climbing", "yoga", "pool"), "gym"),
    **dict.fromkeys(("library", "libraries", "books", "reading"), "library"),
    **dict.fromkeys(("coworking", "cowork", "office", "desk", "desks"), "coworking"),
    **dict.fromkeys(("museum", "museums", "gallery", "exhibition", "art"), "museum"),
    **dict.fromkeys(("bar", "bars", "pub", "pubs", "beer", "cocktail", "cocktails", "wine"), "bar"),
    **dict.fromkeys(("shop", "shops", "store", "stores", "market", "boutique", "bookshop"), "shop"),
    **dict.fromkeys(("landmark", "landmarks", "sight", "sights", "sightseeing", "monument",
                     "monuments", "attraction", "attractions", "viewpoint"), "landmark"),
}  # fmt: skip
SHARED_WORD_POINTS, SHARED_WORD_MAX = 3, 15


@dataclass(frozen=True, slots=True)
class Place:
    id: str
    name: str
    category: str
    rating: Decimal | None = None
    description: str = ""
    distance_km: float | None = None  # from the searched city's centre, when both are known


@dataclass(frozen=True, slots=True)
class ScoredPlace:
    place: Place
    score: int


@dataclass(frozen=True, slots=True)
class RankedPlaces:
    best: list[ScoredPlace]  # best first
    groups: dict[str, list[ScoredPlace]]  # category → places, groups ordered by their best place


def words(text: str) -> list[str]:
    """Lower-case words with accents removed, in order."""
    plain = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return re.findall(r"[a-z0-9]+", plain)


def extract_keywords(description: str) -> tuple[list[str], str]:
    """The description's distinct non-stop words and the category the first category word names."""
    keywords = list(dict.fromkeys(w for w in words(description) if w not in STOP_WORDS))
    category = next((CATEGORY_WORDS[w] for w in keywords if w in CATEGORY_WORDS), OTHER)
    return keywords, category


def score_place(place: Place, keywords: Iterable[str], category: str) -> int:
    """The place's score 0–100 for the query's keywords and category."""
    wanted = list(dict.fromkeys(keywords))
    have = set(words(f"{place.name} {place.category} {place.description}"))
    total = Fraction(0)
    if wanted:
        total += Fraction(sum(1 for w in wanted if w in have) * 50, len(wanted))
    if category != OTHER and category in have:
        total += 20
    if place.rating is not None and place.rating >= Decimal("4.0"):
        total += 15
    shared = sum(1 for w in wanted if len(w) > 3 and w in have)
    total += min(SHARED_WORD_MAX, SHARED_WORD_POINTS * shared)
    return min(100, round_half_away(Decimal(total.numerator) / Decimal(total.denominator)))


def is_named(place: Place, keywords: Iterable[str]) -> bool:
    """Whether the place's name is exactly what was asked for (its words, stop words aside)."""
    wanted = set(keywords)
    return bool(wanted) and {w for w in words(place.name) if w not in STOP_WORDS} == wanted


def _order(item: ScoredPlace, wanted: list[str]) -> tuple[bool, int, float, str]:
    distance = item.place.distance_km
    return (
        not is_named(item.place, wanted),
        -item.score,
        distance if distance is not None else float("inf"),
        item.place.name,
    )


def rank_places(
    places: Iterable[Place], keywords: Iterable[str], category: str, limit: int = 10
) -> RankedPlaces:
    """Score, drop zeros, keep the best `limit` (see the module's ranking) grouped by category."""
    wanted = list(keywords)
    scored = [ScoredPlace(p, score_place(p, wanted, category)) for p in places]
    best = sorted((s for s in scored if s.score > 0), key=lambda s: _order(s, wanted))
    best = best[: max(0, limit)]
    groups: dict[str, list[ScoredPlace]] = {}
    for item in best:
        groups.setdefault(item.place.category or OTHER, []).append(item)
    return RankedPlaces(best, groups)
