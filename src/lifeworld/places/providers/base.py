"""What every place provider offers, and the HTTP helpers the network ones share."""

from __future__ import annotations

import ssl
from collections.abc import Awaitable, Callable
from functools import lru_cache
from typing import Any, Protocol

import httpx

from lifeworld.errors import ServiceUnavailable
from lifeworld.places.records import Area, PlaceRecord, ProviderAnswer, SearchRequest


class PlaceProvider(Protocol):
    name: str  # "offline", "nominatim", "google"
    prefix: str  # the id prefix it owns: "geo", "osm", "google"
    attribution: str | None
    ttl_s: float  # how long its place details may be cached
    cache_searches: bool

    async def search(self, request: SearchRequest, area: Area | None) -> ProviderAnswer: ...

    async def details(self, native_id: str) -> PlaceRecord | None: ...


def search_terms(request: SearchRequest) -> str:
    """What to ask a provider: the category word when there is one, else the keywords."""
    return request.category if request.category != "other" else " ".join(request.keywords[:5])


@lru_cache(maxsize=1)
def _tls() -> ssl.SSLContext:
    """httpx's default certificate checks, built once: loading the trust store is costly, and paid
    on every lookup it made paced requests arrive unevenly (docs/PERFORMANCE.md)."""
    return httpx.create_ssl_context()


async def call_json(
    provider: str,
    method: str,
    url: str,
    *,
    timeout_s: float,
    turn: Callable[[], Awaitable[None]] | None = None,
    **kwargs: Any,
) -> Any:
    """One HTTP call; any failure becomes a 503 `provider_unavailable` for the client.

    `turn` (a pacer's) is awaited once the client is ready, so the request leaves right after it.
    """
    try:
        async with httpx.AsyncClient(timeout=timeout_s, verify=_tls()) as client:
            request = client.build_request(method, url, **kwargs)
            if turn is not None:
                await turn()
            response = await client.send(request)
    except httpx.HTTPError as exc:
        raise ServiceUnavailable(
            f"The place provider ({provider}) is not answering; try again later.",
            code="provider_unavailable",
        ) from exc
    if response.status_code == 404:
        return None
    if response.status_code >= 400:
        raise ServiceUnavailable(
            f"The place provider ({provider}) refused the lookup (HTTP {response.status_code}).",
            code="provider_unavailable",
            headers={"Retry-After": "5"} if response.status_code in (429, 503) else None,
        )
    try:
        return response.json()
    except ValueError as exc:
        raise ServiceUnavailable(
            f"The place provider ({provider}) answered something that is not JSON.",
            code="provider_unavailable",
        ) from exc
