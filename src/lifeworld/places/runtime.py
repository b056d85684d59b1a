"""The places machinery of one app: the providers by id prefix and the cache namespaces."""

from __future__ import annotations

from dataclasses import dataclass, field

from lifeworld.cache import Cache, Namespace
from lifeworld.places.pacing import Pacer
from lifeworld.places.providers.base import PlaceProvider
from lifeworld.places.providers.google import GoogleProvider
from lifeworld.places.providers.nominatim import NominatimProvider
from lifeworld.places.providers.offline import OfflineProvider
from lifeworld.settings import PlacesProvider, Settings


@dataclass
class Places:
    active: PlaceProvider
    details: Namespace  # place id → its details (the configured chain: memory → … → postgres)
    searches: Namespace  # a network provider's answer to one query
    ttl_s: float
    by_prefix: dict[str, PlaceProvider] = field(default_factory=dict)

    def provider_for(self, place_id: str) -> PlaceProvider | None:
        prefix, _, _ = place_id.partition(":")
        return self.by_prefix.get(prefix)


def build_places(settings: Settings, cache: Cache) -> Places:
    """Providers from the settings; nothing is contacted until a request needs it."""
    ttl_s = settings.places_ttl_hours * 3600
    offline = OfflineProvider(ttl_s=ttl_s)
    providers: dict[str, PlaceProvider] = {"geo": offline}
    active: PlaceProvider = offline
    if settings.places_provider is PlacesProvider.NOMINATIM:
        pool = cache.postgres.pool if cache.postgres is not None else None
        pacer = Pacer("nominatim", interval_s=settings.nominatim_min_interval_s, pool=pool)
        active = providers["osm"] = NominatimProvider(
            base_url=settings.nominatim_url,
            pacer=pacer,
            ttl_s=ttl_s,
            timeout_s=settings.places_timeout_s,
            contact=settings.public_url or "self-hosted household app",
        )
    if settings.google_places_api_key is not None:
        google = GoogleProvider(
            base_url=settings.google_places_url,
            api_key=settings.google_places_api_key.get_secret_value(),
            ttl_s=ttl_s,
            timeout_s=settings.places_timeout_s,
        )
        providers["google"] = google
        if settings.places_provider is PlacesProvider.GOOGLE:
            active = google
    return Places(
        active=active,
        details=cache.namespace("place", ttl=ttl_s),
        searches=cache.namespace("place_search", ttl=ttl_s),
        ttl_s=ttl_s,
        by_prefix=providers,
    )
