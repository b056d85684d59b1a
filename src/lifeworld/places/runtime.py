"""The places machinery of one app: the providers by id prefix and the cache namespaces."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from lifeworld.cache import Cache, Namespace
from lifeworld.places.pacing import Pacer
from lifeworld.places.providers.base import PlaceProvider
from lifeworld.places.providers.google import GoogleProvider
from lifeworld.places.providers.nominatim import NominatimProvider
from lifeworld.places.providers.offline import OfflineProvider
from lifeworld.places.reachability import Reachability
from lifeworld.settings import PlacesProvider, Settings

log = logging.getLogger(__name__)
PUBLIC_NOMINATIM = "nominatim.openstreetmap.org"


@dataclass
class Places:
    online: PlaceProvider | None  # nominatim or google; None when the admin chose offline
    offline: PlaceProvider  # the shipped gazetteer: always there
    details: Namespace  # place id → its details (the configured chain: memory → … → postgres)
    searches: Namespace  # a network provider's answer to one query
    ttl_s: float
    by_prefix: dict[str, PlaceProvider] = field(default_factory=dict)
    # `auto` only: the online provider's recent failures; then searches fall back to offline.
    # Without it (nominatim, google chosen by name) a failure is a 503 for the client.
    reach: Reachability | None = None

    def provider_for(self, place_id: str) -> PlaceProvider | None:
        prefix, _, _ = place_id.partition(":")
        return self.by_prefix.get(prefix)


def _nominatim(settings: Settings, cache: Cache, ttl_s: float) -> NominatimProvider:
    if PUBLIC_NOMINATIM in settings.nominatim_url and not settings.places_contact:
        log.warning(
            "place search uses OpenStreetMap's public Nominatim without a contact: set "
            "LIFEWORLD_PLACES_CONTACT to an e-mail or web address so its operators can reach you"
        )
    pool = cache.postgres.pool if cache.postgres is not None else None
    return NominatimProvider(
        base_url=settings.nominatim_url,
        pacer=Pacer("nominatim", interval_s=settings.nominatim_min_interval_s, pool=pool),
        ttl_s=ttl_s,
        timeout_s=settings.places_timeout_s,
        contact=settings.places_contact,
    )


def build_places(settings: Settings, cache: Cache) -> Places:
    """Providers from the settings; nothing is contacted until a request needs it."""
    ttl_s = settings.places_ttl_hours * 3600
    offline = OfflineProvider(ttl_s=ttl_s)
    providers: dict[str, PlaceProvider] = {"geo": offline}
    online: PlaceProvider | None = None
    reach = None
    choice = settings.places_provider
    if choice in (PlacesProvider.AUTO, PlacesProvider.NOMINATIM):
        online = providers["osm"] = _nominatim(settings, cache, ttl_s)
        if choice is PlacesProvider.AUTO:
            reach = Reachability("nominatim", retry_s=settings.places_offline_retry_s)
    if settings.google_places_api_key is not None:
        google = GoogleProvider(
            base_url=settings.google_places_url,
            api_key=settings.google_places_api_key.get_secret_value(),
            ttl_s=ttl_s,
            timeout_s=settings.places_timeout_s,
        )
        providers["google"] = google
        if choice is PlacesProvider.GOOGLE:
            online = google
    return Places(
        online=online,
        offline=offline,
        details=cache.namespace("place", ttl=ttl_s),
        searches=cache.namespace("place_search", ttl=ttl_s),
        ttl_s=ttl_s,
        by_prefix=providers,
        reach=reach,
    )
