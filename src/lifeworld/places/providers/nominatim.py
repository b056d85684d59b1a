"""OpenStreetMap's Nominatim, within its usage policy: at most one request per second for the
whole app (a shared pacer), a User-Agent naming the app and the instance's contact, every answer
cached (the service's cache), attribution shown.

A search asks for a place's name when the words name one ("Café de Flore"), else for the kind
of place ("[cafe]", Nominatim's special phrase for amenity=cafe); a name that finds nothing is
followed by the kind, if one was named. In a known city the search is bounded to a box around
its centre (`viewbox` + `bounded=1`), so the city's name need not match OpenStreetMap's spelling.
"""

from __future__ import annotations

from typing import Any

from lifeworld import __version__
from lifeworld.places.pacing import Pacer
from lifeworld.places.providers.base import call_json
from lifeworld.places.query import area_radius_km, viewbox
from lifeworld.places.records import Area, PlaceRecord, ProviderAnswer, SearchRequest

ATTRIBUTION = "Data © OpenStreetMap contributors, ODbL 1.0 (https://osm.org/copyright)"
OSM_CATEGORIES = {
    **dict.fromkeys(("cafe", "coffee_shop", "tea", "ice_cream"), "cafe"),
    **dict.fromkeys(("restaurant", "fast_food", "food_court", "bistro"), "restaurant"),
    **dict.fromkeys(("park", "garden", "nature_reserve", "playground"), "park"),
    **dict.fromkeys(("fitness_centre", "sports_centre", "gym", "swimming_pool"), "gym"),
    **dict.fromkeys(("library",), "library"),
    **dict.fromkeys(("coworking_space", "coworking"), "coworking"),
    **dict.fromkeys(("museum", "gallery", "arts_centre"), "museum"),
    **dict.fromkeys(("bar", "pub", "biergarten", "nightclub"), "bar"),
    **dict.fromkeys(("attraction", "monument", "viewpoint", "memorial", "castle"), "landmark"),
    **dict.fromkeys(("city",), "city"),
    **dict.fromkeys(("town", "village", "suburb"), "town"),
}
# The app speaks English: names come in English where OpenStreetMap has them ("Eiffel Tower").
_PARAMS = {
    "format": "jsonv2", "addressdetails": "1", "extratags": "1", "accept-language": "en",
}  # fmt: skip
WIFI = frozenset({"wlan", "yes", "wifi"})
# Countries that write the house number after the street ("Friedrichstraße 44").
_NUMBER_AFTER_TEXT = "at be ch cz de dk ee es fi gr hr hu is it lt lv nl no pl pt ru se si sk tr ua"
NUMBER_AFTER = frozenset(_NUMBER_AFTER_TEXT.split())


def user_agent(contact: str | None) -> str:
    """What the usage policy asks for: the application and a way to reach whoever runs it."""
    who = f"contact: {contact}" if contact else "no contact set"
    return f"LifeWorldOS/{__version__} (self-hosted Life World OS; {who})"


def _described(kind: str, extratags: dict[str, Any], display: str) -> str:
    """Words the place is found by beyond its name: its kind, cuisine, diet and wifi."""
    cuisine = str(extratags.get("cuisine", "")).replace(";", " ").replace("_", " ")
    diets = [k.removeprefix("diet:") for k, v in extratags.items() if k.startswith("diet:")
             and v in ("yes", "only")]  # fmt: skip
    wifi = "wifi" if extratags.get("internet_access") in WIFI else ""
    parts = (kind.replace("_", " "), cuisine, *diets, wifi, display)
    return " ".join(p for p in parts if p)


def street_line(address: dict[str, Any]) -> str:
    """ "7 Carmine Street" or "Friedrichstraße 44", as the country writes it; "" without a road."""
    road, number = str(address.get("road") or ""), str(address.get("house_number") or "")
    if not road or not number:
        return road
    after = str(address.get("country_code") or "").lower() in NUMBER_AFTER
    return f"{road} {number}" if after else f"{number} {road}"


def osm_record(item: dict[str, Any]) -> PlaceRecord:
    """A Nominatim result as a place."""
    kind = str(item.get("type") or "")
    klass = str(item.get("category") or item.get("class") or "")
    address = item.get("address") or {}
    extratags = item.get("extratags") or {}
    # The main tag may say little (man_made=tower) where another says more (tourism=attraction).
    category = (
        OSM_CATEGORIES.get(kind)
        or OSM_CATEGORIES.get(str(extratags.get("tourism") or ""))
        or ("shop" if klass == "shop" else "other")
    )
    display = str(item.get("display_name") or "")
    city = next(
        (address[k] for k in ("city", "town", "village", "municipality") if address.get(k)), ""
    )
    osm_type = str(item.get("osm_type") or "node")[:1].upper()
    return PlaceRecord(
        id=f"osm:{osm_type}{item['osm_id']}",
        name=str(item.get("name") or display.split(",")[0]),
        category=category,
        city=str(city),
        country=str(address.get("country") or ""),
        lat=float(item["lat"]),
        lon=float(item["lon"]),
        website=extratags.get("website") or extratags.get("contact:website"),
        description=_described(kind, extratags, display),
        source="nominatim",
        address=street_line(address),
    )


def search_params(
    text: str, special: bool, request: SearchRequest, area: Area | None
) -> dict[str, str]:
    """One Nominatim search: bounded to the city when the gazetteer knows it."""
    params = {"limit": str(min(40, request.limit * 3))}
    if area is not None:
        west, south, east, north = viewbox(area.lat, area.lon, area_radius_km(area.population))
        params["q"] = f"[{text}]" if special else text  # a kind alone is allowed when bounded
        params["viewbox"] = f"{west:.4f},{north:.4f},{east:.4f},{south:.4f}"
        params["bounded"] = "1"
    else:
        params["q"] = f"{text}, {request.city}" if request.city else text
    return params


class NominatimProvider:
    name = "nominatim"
    prefix = "osm"
    attribution: str | None = ATTRIBUTION
    cache_searches = True

    def __init__(
        self, *, base_url: str, pacer: Pacer, ttl_s: float, timeout_s: float, contact: str | None
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.pacer = pacer
        self.ttl_s = ttl_s
        self.timeout_s = timeout_s
        self.headers = {"User-Agent": user_agent(contact)}

    async def _get(self, path: str, params: dict[str, str]) -> Any:
        return await call_json(
            self.name,
            "GET",
            f"{self.base_url}/{path}",
            timeout_s=self.timeout_s,
            turn=self.pacer.wait_turn,
            params={**_PARAMS, **params},
            headers=self.headers,
        )

    async def search(self, request: SearchRequest, area: Area | None) -> ProviderAnswer:
        wanted = request.wanted
        asks = []
        if wanted.name:
            asks.append((wanted.name, False))
        if wanted.venue is not None:
            asks.append((wanted.venue.phrase, wanted.venue.special))
        if not asks:
            asks.append((" ".join(request.keywords[:5]), False))
        items: list[Any] = []
        for text, special in asks:  # the name first; the kind only when the name found nothing
            found = await self._get("search", search_params(text, special, request, area))
            items = found if isinstance(found, list) else []  # {"error": …} finds nothing
            if items:
                break
        return ProviderAnswer(
            [
                osm_record(i)
                for i in items
                if isinstance(i, dict) and i.get("osm_id") and i.get("lat")
            ]
        )

    async def details(self, native_id: str) -> PlaceRecord | None:
        if len(native_id) < 2 or native_id[0] not in "NWR" or not native_id[1:].isdigit():
            return None
        items = await self._get("lookup", {"osm_ids": native_id})
        found = [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []
        return osm_record(found[0]) if found else None
