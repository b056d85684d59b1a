"""Nominatim and Google providers against a real local HTTP server (never the internet)."""

from __future__ import annotations

import asyncio
import itertools
import time
from datetime import datetime, timedelta
from typing import Any

import pytest

from lifeworld.clock import clock
from lifeworld.db import migrate
from lifeworld.db.pgpool import PgPool
from lifeworld.places.pacing import Pacer

from ..factories import set_up_household
from .fake_provider import FakeProvider

SEARCH = {"description": "quiet cafe to work from", "city": "Lyon"}


async def test_nominatim_search_follows_the_usage_policy(
    provider_client: Any, fake_provider: FakeProvider
) -> None:
    client = await provider_client(places_provider="nominatim")
    await set_up_household(client)
    response = await client.post("/api/v1/places/search", json=SEARCH)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["source"] == "nominatim"
    assert "OpenStreetMap contributors" in body["attribution"]
    [cafe] = body["groups"]["cafe"]
    assert cafe == {
        "id": "osm:N1001",
        "name": "Café des Tanneurs",
        "city": "Lyon",
        "country": "France",
        "category": "cafe",
        "rating": None,
        "website": "https://tanneurs.example",
        "lat": 45.7601,
        "lon": 4.8357,
        "score": 40,
        "source": "nominatim",
        "address": "",
    }  # fmt: skip  — §16: 1 of 3 keywords × 50 = 16.67, + 20 category, + 3 "cafe" → 40
    assert "bar" not in body["groups"]  # scored 0 for a quiet cafe: dropped
    [request] = fake_provider.requests
    assert request.path == "/search"
    assert request.query["q"] == ["[cafe]"]  # the kind of place, in the box around Lyon
    assert request.query["format"] == ["jsonv2"]
    assert request.query["bounded"] == ["1"] and "viewbox" in request.query
    assert request.headers["user-agent"].startswith("LifeWorldOS/")

    again = await client.post("/api/v1/places/search", json=SEARCH)
    assert again.json() == body
    assert len(fake_provider.requests) == 1  # answered from the cache

    details = (await client.get("/api/v1/places/osm:N1001")).json()
    assert details["cached"] is True and details["name"] == "Café des Tanneurs"
    assert "OpenStreetMap" in details["attribution"]
    assert len(fake_provider.requests) == 1  # the search already cached each place
    fresh = (await client.get("/api/v1/places/osm:N1001?refresh=true")).json()
    assert fresh["cached"] is False and fresh["lat"] == 45.7601
    assert fake_provider.paths() == ["/search", "/lookup"]
    assert fake_provider.requests[-1].query["osm_ids"] == ["N1001"]


async def test_nominatim_unknown_places_and_failures(
    provider_client: Any, fake_provider: FakeProvider
) -> None:
    client = await provider_client(places_provider="nominatim")
    await set_up_household(client)
    assert (await client.get("/api/v1/places/osm:N999")).status_code == 404
    assert (await client.get("/api/v1/places/osm:X1")).status_code == 404  # not an OSM id
    fake_provider.fail = 503
    down = await client.post("/api/v1/places/search", json={**SEARCH, "city": "Paris"})
    assert down.status_code == 503
    assert down.json()["error"]["code"] == "provider_unavailable"
    assert down.headers["retry-after"] == "5"
    fake_provider.fail = None
    up = await client.post("/api/v1/places/search", json={**SEARCH, "city": "Paris"})
    assert up.status_code == 200  # the failure was not cached


async def test_nominatim_unreachable_is_a_503(provider_client: Any) -> None:
    client = await provider_client(places_provider="nominatim", nominatim_url="http://127.0.0.1:9")
    await set_up_household(client)
    response = await client.post("/api/v1/places/search", json=SEARCH)
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "provider_unavailable"


async def test_pacing_holds_across_processes(create_database: Any) -> None:
    url = create_database("lifeworld_pacing")
    migrate.upgrade(url)
    interval = 0.2
    pools = [PgPool(url, size=2), PgPool(url, size=2)]  # two instances' own connections
    pacers = [Pacer("nominatim", interval_s=interval, pool=p) for p in pools]
    turns: list[float] = []

    async def call(pacer: Pacer) -> None:
        await pacer.wait_turn()
        turns.append(time.monotonic())

    started = time.monotonic()
    await asyncio.gather(*(call(pacers[i % 2]) for i in range(6)))
    for pool in pools:
        await pool.close()
    turns.sort()
    # Lower bounds only: a slow machine can make this slower, never faster.
    assert turns[-1] - started >= 5 * interval * 0.95
    assert all(b - a >= interval * 0.5 for a, b in itertools.pairwise(turns))


async def test_turns_in_one_process_are_a_full_interval_apart() -> None:
    # Slots space the turns' starts; a turn woken late (the event loop or the machine was busy)
    # must not bring the next one closer than the interval.
    pacer = Pacer("nominatim", interval_s=0.2, pool=None)
    turns: list[float] = []

    async def call() -> None:
        await pacer.wait_turn()
        turns.append(time.monotonic())

    async def busy() -> None:
        await asyncio.sleep(0.1)
        time.sleep(0.25)  # noqa: ASYNC251 — blocks the loop on purpose: turn 2 wakes at 0.35

    await asyncio.gather(call(), call(), call(), busy())
    gaps = [b - a for a, b in itertools.pairwise(turns)]
    assert all(gap >= 0.2 - 0.002 for gap in gaps), gaps  # the loop's clock resolution


async def test_pacing_refuses_a_queue_that_is_too_long() -> None:
    pacer = Pacer("nominatim", interval_s=5, pool=None, max_wait_s=1)
    await pacer.wait_turn()
    with pytest.raises(Exception, match="Too many place lookups") as refused:
        await pacer.wait_turn()
    assert getattr(refused.value, "status_code", None) == 503


async def test_google_places_search_details_and_its_30_day_limit(
    provider_client: Any, fake_provider: FakeProvider
) -> None:
    client = await provider_client(
        places_provider="google", google_places_api_key="test-key", places_ttl_hours=24 * 90
    )
    await set_up_household(client)
    body = (await client.post("/api/v1/places/search", json=SEARCH)).json()
    assert body["source"] == "google" and body["attribution"] == "Results from Google"
    [cafe] = body["groups"]["cafe"]
    assert cafe["id"] == "google:ChIJcafe123" and cafe["rating"] == 4.6
    assert cafe["city"] == "Lyon" and cafe["country"] == "France"
    [request] = fake_provider.requests
    assert request.method == "POST" and request.path == "/places:searchText"
    assert request.headers["x-goog-api-key"] == "test-key"
    assert "places.location" in request.headers["x-goog-fieldmask"]
    assert request.body["textQuery"] == "cafe in Lyon"

    details = (await client.get("/api/v1/places/google:ChIJcafe123?refresh=true")).json()
    assert details["cached"] is False and details["website"] == "https://slake.example"
    assert fake_provider.requests[-1].path == "/places/ChIJcafe123"
    expires = datetime.fromisoformat(details["expires_at"])
    assert expires - clock.now() <= timedelta(days=30)  # coordinates: 30 days at most

    saved = await client.post("/api/v1/me/saved-places", json={"place_id": "google:ChIJcafe123"})
    assert saved.status_code == 201
    assert saved.json()["name"] == "Slake Coffee"
    assert saved.json()["lat"] is None and saved.json()["lon"] is None  # not kept


async def test_google_needs_its_key() -> None:
    from lifeworld.settings import SettingsError, load_settings

    with pytest.raises(SettingsError, match="GOOGLE_PLACES_API_KEY"):
        load_settings(env="test", places_provider="google")
