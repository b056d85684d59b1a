"""The shipped gazetteer: name lookups, "what is near", and the offline provider's answers."""

from __future__ import annotations

import pytest

from lifeworld.places.gazetteer import distance_km, gazetteer, name_key
from lifeworld.places.providers.offline import OfflineProvider
from lifeworld.places.records import Area, SearchRequest


def test_names_are_compared_without_case_or_accents() -> None:
    assert name_key("  São-Paulo ") == name_key("sao paulo") == "sao paulo"


def test_finding_a_city_by_name_and_country() -> None:
    towns = gazetteer()
    assert len(towns) > 150_000
    paris = towns.resolve("Paris")
    assert paris is not None and paris.country_code == "FR" and paris.population > 2_000_000
    texas = towns.resolve("Paris, United States")
    assert texas is not None and texas.country_code == "US"
    assert towns.resolve("Paris, us") == texas
    assert towns.resolve("Nowhere-on-Nothing") is None
    assert [t.country_code for t in towns.find("Paris")][:1] == ["FR"]  # most populous first
    assert towns.town(paris.index) == paris and towns.town(10**9) is None


def test_near_returns_places_within_the_radius_nearest_first() -> None:
    towns = gazetteer()
    lyon = towns.resolve("Lyon")
    assert lyon is not None
    around = towns.near(lyon.lat, lyon.lon, radius_km=10, limit=1000)
    distances = [distance_km(lyon.lat, lyon.lon, t.lat, t.lon) for t in around]
    assert around[0] == lyon and distances == sorted(distances)
    assert max(distances) <= 10
    assert "Villeurbanne" in {t.name for t in around}
    assert "Grenoble" not in {t.name for t in around}  # ~95 km away


def test_distance_is_a_great_circle() -> None:
    assert round(distance_km(48.8566, 2.3522, 51.5074, -0.1278)) == 344  # Paris–London


async def test_the_offline_provider_answers_with_the_city_and_towns_around_it() -> None:
    lyon = gazetteer().resolve("Lyon")
    assert lyon is not None
    area = Area(lyon.id, lyon.name, lyon.country, lyon.lat, lyon.lon, lyon.population)
    request = SearchRequest("towns near lyon", ["towns", "lyon"], "other", "Lyon", 10)
    provider = OfflineProvider(ttl_s=60)
    answer = await provider.search(request, area)
    assert answer.places[0].id == lyon.id and answer.places[0].category == "city"
    assert len(answer.places) == 21  # the city and its 20 largest neighbours
    assert all(p.lat is not None for p in answer.places)
    unknown = await provider.search(
        SearchRequest("cafe", ["cafe"], "cafe", "Atlantis", 10), area=None
    )
    assert unknown.places == [] and unknown.notice is None  # the service says it, in its words
    assert (await provider.details(str(lyon.index))) is not None
    assert await provider.details("not-a-number") is None


@pytest.mark.parametrize(
    ("typed", "name", "country"),
    [
        ("New York", "New York City", "US"),
        ("NYC", "New York City", "US"),
        ("ny", "New York City", "US"),
        ("New York, NY", "New York City", "US"),  # a state is not a country: ignored
        ("LA", "Los Angeles", "US"),
        ("SF", "San Francisco", "US"),
        ("San Francisco, CA", "San Francisco", "US"),
        ("Washington, D.C.", "Washington", "US"),
        ("London", "London", "GB"),
        ("London, UK", "London", "GB"),
        ("London, Canada", "London", "CA"),
        ("Paris", "Paris", "FR"),
        ("Paris, USA", "Paris", "US"),
        ("Tokyo", "Tokyo", "JP"),
        ("Berlin", "Berlin", "DE"),
        ("Cologne", "Köln", "DE"),  # not the village of Cologne in Lombardy
        ("Cologne, Italy", "Cologne", "IT"),  # unless that one is asked for
        ("Geneva", "Genève", "CH"),
        ("München", "Munich", "DE"),
    ],
)
def test_common_names_and_aliases_resolve(typed: str, name: str, country: str) -> None:
    town = gazetteer().resolve(typed)
    assert town is not None, typed
    assert (town.name, town.country_code) == (name, country)
