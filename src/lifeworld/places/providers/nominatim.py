"""OpenStreetMap's Nominatim, within its usage policy: at most one request per second for the
whole app (a shared pacer), an identifying User-Agent, every answer cached, attribution shown."""

from __future__ import annotations

from typing import Any

from lifeworld import __version__
from lifeworld.places.pacing import Pacer
from lifeworld.places.providers.base import call_json, search_terms
from lifeworld.places.records import Area, PlaceRecord, ProviderAnswer, SearchRequest

ATTRIBUTION = "Data © OpenStreetMap contributors, ODbL 1.0 (https://osm.org/copyright)"
OSM_CATEGORIES = {
    **dict.fromkeys(("cafe", "coffee_shop", "tea"), "cafe"),
    **dict.fromkeys(("restaurant", "fast_food", "food_court", "bistro"), "restaurant"),
    **dict.fromkeys(("park", "garden", "nature_reserve", "playground"), "park"),
    **dict.fromkeys(("fitness_centre", "sports_centre", "gym", "swimming_pool"), "gym"),
    **dict.fromkeys(("library",), "library"),
    **dict.fromkeys(("coworking_space", "coworking"), "coworking"),
    **dict.fromkeys(("museum", "gallery", "arts_centre"), "museum"),
    **dict.fromkeys(("bar", "pub", "biergarten", "nightclub"), "bar"),
    **dict.fromkeys(("city",), "city"),
    **dict.fromkeys(("town", "village", "suburb"), "town"),
}
_PARAMS = {"format": "jsonv2", "addressdetails": "1", "extratags": "1"}


def osm_record(item: dict[str, Any]) -> PlaceRecord:
    """A Nominatim result as a place."""
    kind = str(item.get("type") or "")
    klass = str(item.get("category") or item.get("class") or "")
    category = OSM_CATEGORIES.get(kind) or ("shop" if klass == "shop" else "other")
    address = item.get("address") or {}
    extratags = item.get("extratags") or {}
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
        description=" ".join(
            p for p in (kind.replace("_", " "), extratags.get("cuisine", ""), display) if p
        ),
        source="nominatim",
    )


class NominatimProvider:
    name = "nominatim"
    prefix = "osm"
    attribution: str | None = ATTRIBUTION
    cache_searches = True

    def __init__(
        self, *, base_url: str, pacer: Pacer, ttl_s: float, timeout_s: float, contact: str
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.pacer = pacer
        self.ttl_s = ttl_s
        self.timeout_s = timeout_s
        self.headers = {"User-Agent": f"LifeWorldOS/{__version__} ({contact})"}

    async def _get(self, path: str, params: dict[str, str]) -> Any:
        await self.pacer.wait_turn()
        return await call_json(
            self.name,
            "GET",
            f"{self.base_url}/{path}",
            timeout_s=self.timeout_s,
            params={**_PARAMS, **params},
            headers=self.headers,
        )

    async def search(self, request: SearchRequest, area: Area | None) -> ProviderAnswer:
        terms = search_terms(request)
        params = {"q": f"{terms} in {request.city}" if request.city else terms}
        params["limit"] = str(min(40, request.limit * 3))
        if area is not None:  # keep answers near the city the gazetteer found
            params["viewbox"] = (
                f"{area.lon - 0.3},{area.lat + 0.2},{area.lon + 0.3},{area.lat - 0.2}"
            )
        items = await self._get("search", params) or []
        return ProviderAnswer([osm_record(i) for i in items if i.get("osm_id") and i.get("lat")])

    async def details(self, native_id: str) -> PlaceRecord | None:
        if len(native_id) < 2 or native_id[0] not in "NWR" or not native_id[1:].isdigit():
            return None
        items = await self._get("lookup", {"osm_ids": native_id})
        return osm_record(items[0]) if items else None
