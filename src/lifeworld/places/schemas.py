"""Request and response shapes of the places API (API.md "Places")."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field, field_validator

from lifeworld.schemas_common import StrictIn

VenueCategory = Literal[
    "cafe", "restaurant", "park", "gym", "library", "coworking", "museum", "bar", "shop", "other"
]
IdPath = Annotated[int, Path(ge=1, le=2**63 - 1)]
PlaceIdPath = Annotated[
    str, Path(min_length=3, max_length=200, pattern=r"^[a-z]+:[A-Za-z0-9_\-]+$")
]


class SearchIn(StrictIn):
    description: str = Field(min_length=1, max_length=300)
    city: str | None = Field(default=None, max_length=120)
    limit: int = Field(default=10, ge=1, le=20, strict=True)


class PlaceOut(BaseModel):
    id: str
    name: str
    city: str
    country: str
    category: str
    rating: float | None
    website: str | None
    lat: float | None
    lon: float | None
    score: int
    source: str
    address: str = ""  # the street line where the provider knows it ("7 Carmine Street")


class QueryOut(BaseModel):
    description: str
    keywords: list[str]
    category: str
    city: str | None
    limit: int


class SummaryOut(BaseModel):
    total: int
    categories: list[str]  # the groups, best group first
    average_rating: float | None


class AreaOut(BaseModel):
    id: str
    name: str
    country: str
    lat: float
    lon: float
    population: int


class SearchOut(BaseModel):
    query: QueryOut
    groups: dict[str, list[PlaceOut]]
    summary: SummaryOut
    source: str  # who answered: nominatim, google or offline
    offline: bool  # answered by the offline gazetteer (chosen, or the online service is away)
    attribution: str | None  # shown wherever results are shown (OpenStreetMap's licence asks it)
    notice: str | None  # for the household: searched offline, an unknown town …
    area: AreaOut | None  # the searched city as the gazetteer knows it


class PlaceDetailsOut(BaseModel):
    id: str
    name: str
    city: str
    country: str
    category: str
    rating: float | None
    website: str | None
    lat: float | None
    lon: float | None
    description: str
    source: str
    address: str = ""
    attribution: str | None
    cached: bool
    expires_at: datetime


# What a place's fields may hold, wherever they come in (this API, an import): a website is an
# http(s) address, never a `javascript:` one that a page or a client would follow.
Website = Annotated[str, Field(max_length=300, pattern=r"^https?://\S+$")]
PlaceId = Annotated[str, Field(min_length=3, max_length=200, pattern=r"^[a-z]+:[A-Za-z0-9_\-]+$")]
PlaceNotes = Annotated[str, Field(max_length=2000)]


class HouseholdPlaceIn(StrictIn):
    name: str = Field(min_length=1, max_length=120)
    category: VenueCategory
    city: str = Field(min_length=1, max_length=120)
    country: str | None = Field(default=None, max_length=80)
    lat: float | None = Field(default=None, ge=-90, le=90, strict=True)
    lon: float | None = Field(default=None, ge=-180, le=180, strict=True)
    rating: Decimal | None = Field(default=None, ge=0, le=5, max_digits=2, decimal_places=1)
    website: Website | None = None
    description: str = Field(default="", max_length=500)

    @field_validator("rating", mode="before")
    @classmethod
    def _rating_is_a_number(cls, value: object) -> object:
        if isinstance(value, bool):  # JSON true is not a rating
            raise ValueError("must be a number from 0 to 5")
        return value

    @field_validator("name", "city")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


class HouseholdPlaceOut(BaseModel):
    id: str
    name: str
    category: str
    city: str
    country: str
    lat: float | None
    lon: float | None
    rating: float | None
    website: str | None
    description: str
    source: str


class SavedPlaceIn(StrictIn):
    place_id: PlaceId
    notes: PlaceNotes | None = None
    favorite: bool = Field(default=False, strict=True)


class SavedPlacePatch(StrictIn):
    notes: PlaceNotes | None = None
    favorite: bool | None = Field(default=None, strict=True)


class SavedPlaceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    place_id: str
    name: str
    category: str
    city: str
    country: str
    lat: float | None
    lon: float | None
    rating: float | None
    website: str | None
    notes: str | None
    favorite: bool
    created_at: datetime
