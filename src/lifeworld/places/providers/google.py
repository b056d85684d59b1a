"""Google Places (API "New"), used when LIFEWORLD_GOOGLE_PLACES_API_KEY is set.

Its terms let us keep place ids indefinitely but coordinates for at most 30 days, so every
cached answer expires within 30 days and saved places keep no Google coordinates.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from lifeworld.places.providers.base import call_json, search_terms
from lifeworld.places.records import Area, PlaceRecord, ProviderAnswer, SearchRequest

MAX_COORDINATE_DAYS = 30
ATTRIBUTION = "Results from Google"
FIELDS = (
    "id,displayName,formattedAddress,location,rating,websiteUri,primaryType,types,addressComponents"
)
GOOGLE_CATEGORIES = {
    **dict.fromkeys(("cafe", "coffee_shop", "tea_house"), "cafe"),
    **dict.fromkeys(("restaurant", "meal_takeaway", "bakery"), "restaurant"),
    **dict.fromkeys(("park", "national_park", "garden"), "park"),
    **dict.fromkeys(("gym", "fitness_center", "sports_complex"), "gym"),
    **dict.fromkeys(("library",), "library"),
    **dict.fromkeys(("coworking_space",), "coworking"),
    **dict.fromkeys(("museum", "art_gallery"), "museum"),
    **dict.fromkeys(("bar", "pub", "night_club", "wine_bar"), "bar"),
    **dict.fromkeys(("store", "shopping_mall", "book_store", "market"), "shop"),
    **dict.fromkeys(("locality",), "city"),
}


def _category(types: list[str]) -> str:
    for kind in types:
        if kind in GOOGLE_CATEGORIES:
            return GOOGLE_CATEGORIES[kind]
        if kind.endswith("_restaurant"):
            return "restaurant"
        if kind.endswith("_store"):
            return "shop"
    return "other"


def google_record(item: dict[str, Any]) -> PlaceRecord:
    """A Places API place as a place."""
    types = [str(t) for t in ([item.get("primaryType"), *list(item.get("types") or [])]) if t]
    parts = {t: c for c in item.get("addressComponents") or [] for t in c.get("types", [])}
    location = item.get("location") or {}
    rating = item.get("rating")
    return PlaceRecord(
        id=f"google:{item['id']}",
        name=str((item.get("displayName") or {}).get("text") or item["id"]),
        category=_category(types),
        city=str(parts.get("locality", {}).get("longText", "")),
        country=str(parts.get("country", {}).get("longText", "")),
        lat=location.get("latitude"),
        lon=location.get("longitude"),
        rating=Decimal(str(round(float(rating), 1))) if rating is not None else None,
        website=item.get("websiteUri"),
        description=" ".join(
            [*(t.replace("_", " ") for t in types), item.get("formattedAddress", "")]
        ),
        source="google",
    )


class GoogleProvider:
    name = "google"
    prefix = "google"
    attribution: str | None = ATTRIBUTION
    cache_searches = True

    def __init__(self, *, base_url: str, api_key: str, ttl_s: float, timeout_s: float) -> None:
        self.base_url = base_url.rstrip("/")
        self.ttl_s = min(ttl_s, MAX_COORDINATE_DAYS * 86_400.0)
        self.timeout_s = timeout_s
        self._key = api_key

    def _headers(self, fields: str) -> dict[str, str]:
        return {"X-Goog-Api-Key": self._key, "X-Goog-FieldMask": fields}

    async def search(self, request: SearchRequest, area: Area | None) -> ProviderAnswer:
        terms = search_terms(request)
        body: dict[str, Any] = {
            "textQuery": f"{terms} in {request.city}" if request.city else terms,
            "pageSize": min(20, request.limit * 2),
        }
        if area is not None:
            centre = {"latitude": area.lat, "longitude": area.lon}
            body["locationBias"] = {"circle": {"center": centre, "radius": 20_000.0}}
        fields = ",".join(f"places.{f}" for f in FIELDS.split(","))
        data = await call_json(
            self.name, "POST", f"{self.base_url}/places:searchText",
            timeout_s=self.timeout_s, json=body, headers=self._headers(fields),
        )  # fmt: skip
        items = (data or {}).get("places") or []
        return ProviderAnswer([google_record(i) for i in items if i.get("id")])

    async def details(self, native_id: str) -> PlaceRecord | None:
        if not native_id or not all(c.isalnum() or c in "-_" for c in native_id):
            return None
        data = await call_json(
            self.name, "GET", f"{self.base_url}/places/{native_id}",
            timeout_s=self.timeout_s, headers=self._headers(FIELDS),
        )  # fmt: skip
        return google_record(data) if data else None
