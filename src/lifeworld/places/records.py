"""What providers return: places with where they are, and one search's answer."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from lifeworld.game.places import OTHER, Place
from lifeworld.places.query import Wanted

CATEGORIES = (
    "cafe", "restaurant", "park", "gym", "library", "coworking", "museum", "bar", "shop",
    "landmark", "city", "town", OTHER,
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class PlaceRecord:
    id: str  # "<source>:<native id>": geo:…, local:…, osm:…, google:…
    name: str
    category: str
    city: str = ""
    country: str = ""
    lat: float | None = None
    lon: float | None = None
    rating: Decimal | None = None
    website: str | None = None
    description: str = ""
    source: str = ""
    address: str = ""  # the street line, to tell two places of one name apart

    def for_scoring(self, distance_km: float | None = None) -> Place:
        return Place(self.id, self.name, self.category, self.rating, self.description, distance_km)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["rating"] = float(self.rating) if self.rating is not None else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PlaceRecord:
        rating = data.get("rating")
        return cls(**{**data, "rating": Decimal(str(rating)) if rating is not None else None})


@dataclass(frozen=True, slots=True)
class SearchRequest:
    description: str
    keywords: list[str]
    category: str
    city: str | None
    limit: int
    wanted: Wanted = field(default_factory=Wanted)  # the name and kind, for a provider


@dataclass(slots=True)
class Area:
    """The city a search was about, as the gazetteer knows it."""

    id: str
    name: str
    country: str
    lat: float
    lon: float
    population: int


@dataclass(slots=True)
class ProviderAnswer:
    places: list[PlaceRecord] = field(default_factory=list)
    notice: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"places": [p.to_json() for p in self.places], "notice": self.notice}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ProviderAnswer:
        return cls([PlaceRecord.from_json(p) for p in data["places"]], data.get("notice"))
