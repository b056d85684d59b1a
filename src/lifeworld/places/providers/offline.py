"""The offline provider: towns and cities from the shipped gazetteer (no internet, no key).

It knows where places are, not which cafés they have: venues come from the household's own
places (the service adds those), and the service says that it searched offline.
"""

from __future__ import annotations

from lifeworld.places.gazetteer import ATTRIBUTION, Town, distance_km, gazetteer, name_key
from lifeworld.places.records import Area, PlaceRecord, ProviderAnswer, SearchRequest

CITY_POPULATION = 100_000
NEAR_RADIUS_KM = 25.0
NEAR_LIMIT = 20


def town_record(town: Town, description: str | None = None) -> PlaceRecord:
    kind = "city" if town.population >= CITY_POPULATION else "town"
    where = ", ".join(p for p in (town.state, town.country) if p)
    return PlaceRecord(
        id=town.id,
        name=town.name,
        category=kind,
        city=town.name,
        country=town.country,
        lat=town.lat,
        lon=town.lon,
        description=description or f"{kind} in {where}, population {town.population}",
        source="offline",
    )


def _district_of(centre: Town, town: Town) -> bool:
    """ "Lyon 03" is a part of Lyon, not a town around it."""
    rest = name_key(town.name).removeprefix(name_key(centre.name))
    return rest != name_key(town.name) and rest.strip().isdigit()


class OfflineProvider:
    name = "offline"
    prefix = "geo"
    attribution: str | None = ATTRIBUTION
    cache_searches = False  # answered from memory in microseconds

    def __init__(self, *, ttl_s: float) -> None:
        self.ttl_s = ttl_s

    async def search(self, request: SearchRequest, area: Area | None) -> ProviderAnswer:
        """The searched city and the towns around it (largest first), with coordinates."""
        if area is None:  # the service says so when a city was named but is not known
            return ProviderAnswer()
        towns = gazetteer()
        centre = towns.town(int(area.id.removeprefix("geo:")))
        if centre is None:
            return ProviderAnswer()
        around = [
            t
            for t in towns.near(centre.lat, centre.lon, radius_km=NEAR_RADIUS_KM, limit=500)
            if t.index != centre.index and not _district_of(centre, t)
        ]
        around.sort(key=lambda t: -t.population)
        places = [town_record(centre, f"{centre.name}, the centre of the towns around it")]
        for town in around[:NEAR_LIMIT]:
            km = distance_km(centre.lat, centre.lon, town.lat, town.lon)
            text = f"one of the towns around {centre.name}, {km:.0f} km away, in {town.state}"
            places.append(town_record(town, text))
        return ProviderAnswer(places)

    async def details(self, native_id: str) -> PlaceRecord | None:
        if not native_id.isdigit():
            return None
        town = gazetteer().town(int(native_id))
        return town_record(town) if town else None
