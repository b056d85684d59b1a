"""One search's answer from the providers: online and cached, or offline.

With `auto`, a provider that cannot be reached (or refuses) makes the search answer offline,
says so, and keeps later searches offline for a while (`reachability.py`); a search answered
online before is still served from the cache meanwhile. A provider chosen by name (nominatim,
google) fails the search with a 503 instead, as before.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from lifeworld.cache import codec
from lifeworld.errors import ServiceUnavailable
from lifeworld.places import messages
from lifeworld.places.gazetteer import name_key
from lifeworld.places.providers.base import PlaceProvider
from lifeworld.places.records import Area, PlaceRecord, ProviderAnswer, SearchRequest
from lifeworld.places.runtime import Places


@dataclass(frozen=True, slots=True)
class Answered:
    answer: ProviderAnswer
    provider: PlaceProvider  # who answered
    offline: bool  # from the shipped gazetteer (chosen, or because the provider is away)
    notice: str | None = None


def details_bytes(place: PlaceRecord, provider: PlaceProvider | None) -> bytes:
    attribution = provider.attribution if provider is not None else None
    return codec.dumps({**place.to_json(), "attribution": attribution})


def search_key(provider: PlaceProvider, request: SearchRequest, area: Area | None) -> str:
    # By the gazetteer's town when known, so "NYC" and "New York" share one answer.
    where = area.id if area is not None else name_key(request.city or "")
    query = f"{request.category}|{' '.join(request.keywords)}|{where}"
    digest = hashlib.blake2b(query.encode(), digest_size=12).hexdigest()
    return f"{provider.name}:{request.limit}:{digest}"


async def _online(
    places: Places, provider: PlaceProvider, request: SearchRequest, area: Area | None
) -> ProviderAnswer:
    if not provider.cache_searches:
        return await provider.search(request, area)

    async def ask() -> bytes:
        answer = await provider.search(request, area)
        for place in answer.places:  # every answer is kept, as the providers' policies ask
            await places.details.set(
                place.id,
                details_bytes(place, provider),
                ttl=provider.ttl_s,
                tags=[f"place:{place.id}"],
            )
        return codec.dumps(answer.to_json())

    key = search_key(provider, request, area)
    fetched = await places.searches.fetch(key, ask, ttl=provider.ttl_s, cross_process=True)
    return ProviderAnswer.from_json(codec.loads(fetched.value))


async def answer(places: Places, request: SearchRequest, area: Area | None) -> Answered:
    """The providers' answer to one search, and whether it came from the offline gazetteer."""
    online, reach = places.online, places.reach
    if online is None:
        found = await places.offline.search(request, area)
        return Answered(found, places.offline, offline=True, notice=messages.OFFLINE)
    if reach is None:
        return Answered(await _online(places, online, request, area), online, offline=False)
    if not reach.down:
        try:
            found = await _online(places, online, request, area)
        except ServiceUnavailable as exc:
            if exc.code == "provider_unavailable":  # not answering or refusing: wait a while
                reach.failed(exc.message)
        else:
            reach.answered()
            return Answered(found, online, offline=False)
    else:
        cached = await places.searches.get(search_key(online, request, area))
        if cached is not None:
            found = ProviderAnswer.from_json(codec.loads(cached))
            return Answered(found, online, offline=False)
    found = await places.offline.search(request, area)
    return Answered(found, places.offline, offline=True, notice=messages.OFFLINE_FOR_NOW)
