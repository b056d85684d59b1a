"""The household's own places and its members' saved places: every query scoped by one helper."""

from __future__ import annotations

from sqlalchemy import Select, select

from lifeworld.accounts.models import User
from lifeworld.db.scope import Scope
from lifeworld.places.gazetteer import distance_km, name_key
from lifeworld.places.models import HouseholdPlace, SavedPlace
from lifeworld.places.records import Area, PlaceRecord

NEAR_KM = 30.0


def household_places(household_id: int) -> Select[HouseholdPlace]:
    """The places one household entered (never another household's)."""
    return select(HouseholdPlace).where(HouseholdPlace.household_id == household_id)


def saved_places(user_id: int) -> Select[SavedPlace]:
    """One player's saved places (never another player's)."""
    return select(SavedPlace).where(SavedPlace.user_id == user_id)


def local_record(place: HouseholdPlace) -> PlaceRecord:
    return PlaceRecord(
        id=f"local:{place.id}",
        name=place.name,
        category=place.category,
        city=place.city,
        country=place.country,
        lat=place.lat,
        lon=place.lon,
        rating=place.rating,
        website=place.website,
        description=place.description,
        source="household",
    )


def saved_record(saved: SavedPlace) -> PlaceRecord:
    return PlaceRecord(
        id=saved.place_id,
        name=saved.name,
        category=saved.category,
        city=saved.city,
        country=saved.country,
        lat=saved.lat,
        lon=saved.lon,
        rating=saved.rating,
        website=saved.website,
        description=saved.notes or "",
        source="saved",
    )


def _in_area(place: PlaceRecord, city: str | None, area: Area | None) -> bool:
    if not city:
        return True
    if name_key(place.city) == name_key(city.partition(",")[0]):
        return True
    if area is not None and place.lat is not None and place.lon is not None:
        return distance_km(area.lat, area.lon, place.lat, place.lon) <= NEAR_KM
    return False


async def own_places(
    scope: Scope, *, household_id: int, city: str | None, area: Area | None
) -> list[PlaceRecord]:
    """The household's places and its members' saved places in (or near) the city."""
    found: dict[str, PlaceRecord] = {}
    for place in (await scope.session.scalars(household_places(household_id))).all():
        record = local_record(place)
        found[record.id] = record
    members = select(User.id).where(User.household_id == household_id)
    saved = await scope.session.scalars(select(SavedPlace).where(SavedPlace.user_id.in_(members)))
    for item in saved.all():
        found.setdefault(item.place_id, saved_record(item))
    return [p for p in found.values() if _in_area(p, city, area)]


async def local_place(scope: Scope, *, household_id: int, place_id: int) -> HouseholdPlace | None:
    return await scope.session.scalar(
        household_places(household_id).where(HouseholdPlace.id == place_id)
    )
