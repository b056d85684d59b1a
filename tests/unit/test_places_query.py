"""Reading a search: a place's name or the kind of place, a city at the end, the area's box."""

from __future__ import annotations

import pytest

from lifeworld.places.query import Venue, Wanted, area_radius_km, interpret, split_city, viewbox

CAFE, MUSEUM = Venue("cafe", True), Venue("museum", True)


@pytest.mark.parametrize(
    ("description", "wanted"),
    [
        ("quiet cafe with wifi", Wanted(None, CAFE)),
        ("park for a run", Wanted(None, Venue("park", True))),
        ("gym", Wanted(None, Venue("fitness centre", True))),
        ("pizza", Wanted(None, Venue("pizza", False))),  # found in names, not in a tag
        ("a museum", Wanted(None, MUSEUM)),
        ("vegan restaurant", Wanted(None, Venue("restaurant", True))),
        ("coworking space", Wanted(None, Venue("coworking space", True))),
        ("Eiffel Tower", Wanted("Eiffel Tower", None)),
        ("the British Museum", Wanted("British Museum", MUSEUM)),
        ("Café de Flore", Wanted("Café de Flore", CAFE)),
        ("quiet Café de Flore with wifi", Wanted("Café de Flore", CAFE)),
        ("somewhere quiet", Wanted(None, None)),
    ],
)
def test_interpret(description: str, wanted: Wanted) -> None:
    assert interpret(description) == wanted


CITIES = {"tokyo", "new york", "london", "lyon", "paris"}


def is_city(text: str) -> bool:
    return text.lower() in CITIES


@pytest.mark.parametrize(
    ("description", "rest", "city"),
    [
        ("museum Tokyo", "museum", "Tokyo"),
        ("pizza New York", "pizza", "New York"),
        ("quiet cafe with wifi in London", "quiet cafe with wifi", "London"),
        ("cafe, Paris", "cafe", "Paris"),
        ("Paris", "Paris", None),  # never the whole description
        ("Gare de Lyon", "Gare de Lyon", None),  # a name, not a station in Lyon
        ("Tower of London", "Tower of London", None),
        ("Eiffel Tower", "Eiffel Tower", None),
    ],
)
def test_split_city(description: str, rest: str, city: str | None) -> None:
    assert split_city(description, is_city) == (rest, city)


def test_the_area_grows_with_the_city_and_its_box_is_square_on_the_ground() -> None:
    assert area_radius_km(0) == 3.0
    assert round(area_radius_km(8_961_989), 1) == 23.0  # London
    assert round(area_radius_km(522_969), 1) == 7.8  # Lyon
    assert area_radius_km(40_000_000) == 30.0
    west, south, east, north = viewbox(60.0, 10.0, 11.1)
    assert (round(north - south, 3), round(east - west, 3)) == (0.2, 0.4)  # cos 60° = 0.5
