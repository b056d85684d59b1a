"""§16 place scoring."""

from decimal import Decimal

import pytest

from lifeworld.game.places import Place, extract_keywords, is_named, rank_places, score_place


@pytest.mark.parametrize(
    ("description", "keywords", "category"),
    [
        ("Quiet cafe to work from", ["quiet", "cafe", "work"], "cafe"),
        ("A cozy PUB with craft beer", ["cozy", "pub", "craft", "beer"], "bar"),
        ("Café with a view", ["cafe", "view"], "cafe"),
        ("somewhere nice", ["nice"], "other"),
        ("gym gym GYM near the park", ["gym", "park"], "gym"),
        ("", [], "other"),
    ],
)
def test_extract_keywords(description: str, keywords: list[str], category: str) -> None:
    assert extract_keywords(description) == (keywords, category)


KEYWORDS, CATEGORY = ["quiet", "cafe", "work"], "cafe"
CORNER = Place("1", "Quiet Corner", "cafe", Decimal("4.5"), "a calm cafe, good for work")
LIBRARY = Place("2", "Central Library", "library", Decimal("3.9"), "quiet reading rooms")
BAR = Place("3", "Bar X", "bar", Decimal("4.0"))
SHOP = Place("4", "Shop", "shop")


@pytest.mark.parametrize(
    ("place", "score"),
    [
        (CORNER, 94),  # 3/3 × 50 + 20 (cafe in both) + 15 (rating) + 3 × 3 shared long words
        (LIBRARY, 20),  # 1/3 × 50 = 16.67 + 3 (quiet) = 19.67 → 20
        (BAR, 15),  # rating exactly 4.0
        (SHOP, 0),
    ],
)
def test_score(place: Place, score: int) -> None:
    assert score_place(place, KEYWORDS, CATEGORY) == score


def test_score_rounds_half_away() -> None:
    # 1 hit of 4 keywords = 12.5 → 13; "pub" has 3 letters: no shared-word points
    place = Place("5", "The Pub", "bar", None)
    assert score_place(place, ["pub", "craft", "beer", "cozy"], "other") == 13


def test_shared_words_are_capped_at_15_and_the_score_at_100() -> None:
    words = ["quiet", "cozy", "cafe", "wifi", "sunny", "terrace"]
    place = Place("6", "Sunny Terrace Cafe", "cafe", Decimal("4.2"), "quiet cozy wifi")
    assert score_place(place, words, "cafe") == 100  # 50 + 20 + 15 + min(18, 15)


def test_rank_places() -> None:
    ranked = rank_places([SHOP, BAR, LIBRARY, CORNER], KEYWORDS, CATEGORY)
    assert [(s.place.id, s.score) for s in ranked.best] == [("1", 94), ("2", 20), ("3", 15)]
    assert list(ranked.groups) == ["cafe", "library", "bar"]
    assert [
        s.place.id for s in rank_places([SHOP, BAR, LIBRARY, CORNER], KEYWORDS, CATEGORY, 2).best
    ] == ["1", "2"]


def test_an_exact_name_comes_first_then_score_then_distance() -> None:
    keywords, category = extract_keywords("Cafe de Flore")
    assert keywords == ["cafe", "flore"]  # "de" is one of the little words
    flore = Place("f", "Café de Flore", "cafe", None, "cafe")  # 50 + 20 + 6 = 76
    rated = Place("r", "Flore Cafe Bar", "cafe", Decimal("4.5"), "", 0.2)  # 50 + 20 + 15 + 6
    near = Place("n", "Cafe Flore", "cafe", Decimal("4.5"), "", 0.5)  # exact too (same words)
    far = Place("z", "Bar Flore", "bar", None, "cafe", 9.0)  # 76: far
    close = Place("a", "Zinc Flore", "bar", None, "cafe", 1.0)  # 76: nearer than "Bar Flore"
    unplaced = Place("u", "Amber Flore", "bar", None, "cafe")  # 76: distance unknown, last
    ranked = rank_places([far, unplaced, rated, close, flore, near], keywords, category)
    assert [(s.place.id, s.score) for s in ranked.best] == [
        ("n", 91), ("f", 76), ("r", 91), ("a", 76), ("z", 76), ("u", 76),
    ]  # fmt: skip
    assert is_named(flore, keywords) and not is_named(rated, keywords)
