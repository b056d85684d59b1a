"""Places: search (GAME_RULES.md §16), cached place details, the household's own places."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

from lifeworld.accounts.models import User
from lifeworld.cache import Fetched
from lifeworld.db.scope import Scope
from lifeworld.errors import InvalidField, NotFound
from lifeworld.game.places import OTHER, extract_keywords, rank_places
from lifeworld.places import household, messages, searching
from lifeworld.places.gazetteer import distance_km, gazetteer
from lifeworld.places.models import HouseholdPlace
from lifeworld.places.query import CITY_POPULATION, interpret, split_city
from lifeworld.places.records import Area, PlaceRecord, SearchRequest
from lifeworld.places.runtime import Places
from lifeworld.places.searching import details_bytes


def resolve_area(city: str | None) -> Area | None:
    """The gazetteer's best match for the searched city, if any."""
    town = gazetteer().resolve(city) if city else None
    if town is None:
        return None
    return Area(town.id, town.name, town.country, town.lat, town.lon, town.population)


def _is_city(text: str) -> bool:
    town = gazetteer().resolve(text)
    return town is not None and town.population >= CITY_POPULATION


def _place_out(place: PlaceRecord, score: int) -> dict[str, Any]:
    data = place.to_json()
    data.pop("description")
    return {**data, "score": score}


def _average_rating(ratings: list[Decimal]) -> float | None:
    if not ratings:
        return None
    mean = sum(ratings, Decimal(0)) / len(ratings)
    return float(mean.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _distance(place: PlaceRecord, area: Area | None) -> float | None:
    if area is None or place.lat is None or place.lon is None:
        return None
    return distance_km(area.lat, area.lon, place.lat, place.lon)


def _notice(*parts: str | None) -> str | None:
    return " ".join(p for p in parts if p) or None


async def search(
    scope: Scope,
    *,
    places: Places,
    user: User,
    description: str,
    city: str | None,
    limit: int,
) -> dict[str, Any]:
    """Ranked places for a description (and city), grouped by category, with a summary."""
    city = (city or "").strip() or None
    wanted_text = description
    if city is None:  # "museum Tokyo": the city named at the end of the description
        wanted_text, city = split_city(description, _is_city)
    keywords, category = extract_keywords(wanted_text)
    if not keywords:
        raise InvalidField("description", "Say what you are looking for, e.g. 'quiet cafe'.")
    wanted = interpret(wanted_text)
    request = SearchRequest(description, keywords, category, city, limit, wanted)
    area = resolve_area(city)
    answered = await searching.answer(places, request, area)
    own = await household.own_places(scope, household_id=user.household_id, city=city, area=area)
    candidates = {p.id: p for p in answered.answer.places}
    candidates.update({p.id: p for p in own})
    ranked = rank_places(
        [p.for_scoring(_distance(p, area)) for p in candidates.values()], keywords, category, limit
    )
    groups = {
        group: [_place_out(candidates[s.place.id], s.score) for s in items]
        for group, items in ranked.groups.items()
    }
    chosen = [candidates[s.place.id] for s in ranked.best]
    unknown = messages.unknown_city(city) if city and area is None and not chosen else None
    vague = messages.NO_CITY if not city and wanted.name is None and category != OTHER else None
    used = {p.source for p in chosen} | {answered.provider.name}
    attribution = [
        p.attribution for p in places.by_prefix.values() if p.attribution and p.name in used
    ]
    return {
        "query": {"description": description, "keywords": keywords, "category": category,
                  "city": city, "limit": limit},
        "groups": groups,
        "summary": {
            "total": len(chosen),
            "categories": list(groups),
            "average_rating": _average_rating([p.rating for p in chosen if p.rating is not None]),
        },
        "source": answered.provider.name,
        "offline": answered.offline,
        "attribution": "; ".join(attribution) or None,
        "notice": _notice(unknown, vague, answered.answer.notice, answered.notice),
        "area": asdict(area) if area else None,
    }  # fmt: skip


def _local_id(place_id: str) -> int | None:
    """The row id in "local:<id>", if it is one that fits a bigint."""
    text = place_id.removeprefix("local:")
    if text == place_id or not text.isascii() or not text.isdigit() or len(text) > 18:
        return None
    return int(text)


def _cache_key(place_id: str, household_id: int) -> str:
    # A household's own place is cached per household, so another household's lookup misses
    # and is answered by the database (404), never by someone else's cached copy.
    return f"{place_id}@{household_id}" if place_id.startswith("local:") else place_id


async def details(
    scope: Scope, *, places: Places, user: User, place_id: str, refresh: bool
) -> Fetched:
    """The place's details from the cache, or from its provider (then cached)."""
    provider = places.provider_for(place_id)
    local_id = _local_id(place_id)
    if provider is None and local_id is None:
        raise NotFound("There is no such place (or its provider is not configured here).")

    async def look_up() -> bytes:
        if provider is None:
            assert local_id is not None
            row = await household.local_place(
                scope, household_id=user.household_id, place_id=local_id
            )
            record = household.local_record(row) if row is not None else None
        else:
            record = await provider.details(place_id.partition(":")[2])
        if record is None:
            raise NotFound("There is no such place.")
        return details_bytes(record, provider)

    network = provider is not None and provider.cache_searches
    return await places.details.fetch(
        _cache_key(place_id, user.household_id),
        look_up,
        ttl=provider.ttl_s if provider is not None else places.ttl_s,
        tags=[f"place:{place_id}"],
        cross_process=network,
        refresh=refresh,
    )


@lru_cache(maxsize=1024)
def _iso(stamp: float) -> str:
    # A cached entry's expiry is the same on every hit: format it once.
    return datetime.fromtimestamp(stamp, UTC).isoformat()


def details_json(fetched: Fetched) -> bytes:
    """The cached JSON object with `cached` and `expires_at` added, without re-encoding it."""
    extra = (
        f',"cached":{"true" if fetched.cached else "false"},'
        f'"expires_at":"{_iso(fetched.expires_at)}"}}'
    )
    return fetched.value[:-1] + extra.encode()


async def add_household_place(
    scope: Scope, *, places: Places, user: User, fields: dict[str, Any]
) -> dict[str, Any]:
    """A venue the household knows, findable by the offline provider as `local:<id>`."""
    data = dict(fields)
    if not data.get("country"):
        town = gazetteer().resolve(data["city"])
        data["country"] = town.country if town else ""
    place = HouseholdPlace(household_id=user.household_id, created_by=user.id, **data)
    scope.session.add(place)
    await scope.session.flush()
    return household.local_record(place).to_json()


async def remove_household_place(
    scope: Scope, *, places: Places, user: User, place_id: str
) -> None:
    """Delete one of the household's own places; cached copies go everywhere after commit."""
    local_id = _local_id(place_id)
    row = None
    if local_id is not None:
        row = await household.local_place(scope, household_id=user.household_id, place_id=local_id)
    if row is None:
        raise NotFound("There is no such place in your household.")
    await scope.session.delete(row)
    await scope.session.flush()

    async def drop_cached() -> None:
        await places.details.delete_tag(f"place:{place_id}")

    scope.after_commit(drop_cached)
