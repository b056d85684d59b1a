"""The places API (API.md "Places") with the offline provider: search, details, saved places."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from lifeworld.clock import clock
from lifeworld.places.gazetteer import gazetteer

from ..factories import invite_code, join, set_up_household

MOKA = {
    "name": "Café Moka",
    "category": "cafe",
    "city": "Lyon",
    "rating": 4.5,
    "website": "https://moka.example",
    "description": "quiet cafe with wifi, good to work from",
}


async def add_place(client: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    response = await client.post("/api/v1/places", json={**MOKA, **fields})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_every_route_needs_sign_in(client: httpx.AsyncClient) -> None:
    for method, path in [
        ("POST", "/api/v1/places/search"),
        ("GET", "/api/v1/places/geo:1"),
        ("GET", "/api/v1/me/saved-places"),
        ("POST", "/api/v1/me/saved-places"),
        ("DELETE", "/api/v1/me/saved-places/1"),
    ]:
        response = await client.request(method, path, json={})
        assert response.status_code == 401, (method, path)
        assert response.json()["error"]["code"] == "not_authenticated"


async def test_a_city_search_returns_the_city_and_the_towns_around_it(
    client: httpx.AsyncClient,
) -> None:
    await set_up_household(client)
    response = await client.post(
        "/api/v1/places/search",
        json={"description": "towns around Lyon", "city": "Lyon", "limit": 20},
    )
    assert response.status_code == 200
    body = response.json()
    lyon = gazetteer().resolve("Lyon")
    assert lyon is not None
    assert body["area"] == {
        "id": lyon.id, "name": "Lyon", "country": "France", "lat": lyon.lat, "lon": lyon.lon,
        "population": lyon.population,
    }  # fmt: skip
    places = [p for group in body["groups"].values() for p in group]
    names = {p["name"] for p in places}
    assert {"Lyon", "Villeurbanne", "Vénissieux", "Bron"} <= names
    assert not any(name.startswith("Lyon 0") for name in names)  # districts are not towns
    assert all(p["lat"] is not None and p["lon"] is not None for p in places)
    assert all(p["country"] == "France" for p in places)
    assert body["summary"]["total"] == len(places) == 20
    assert set(body["summary"]["categories"]) == set(body["groups"]) <= {"city", "town"}
    assert body["source"] == "offline" and body["offline"] is True
    assert "GeoNames" in body["attribution"]
    assert body["notice"] == "Searching offline: only towns and your saved places."


async def test_a_venue_search_offline_says_so_in_plain_words(client: httpx.AsyncClient) -> None:
    await set_up_household(client)
    response = await client.post(
        "/api/v1/places/search", json={"description": "quiet cafe to work from", "city": "Lyon"}
    )
    body = response.json()
    assert body["groups"] == {}
    assert body["summary"] == {"total": 0, "categories": [], "average_rating": None}
    assert body["notice"] == "Searching offline: only towns and your saved places."
    unknown = await client.post(
        "/api/v1/places/search", json={"description": "quiet cafe", "city": "Pariss"}
    )
    assert unknown.json()["notice"] == (
        "We couldn't find a town called “Pariss”. Check the spelling, or try a bigger town "
        "nearby. Searching offline: only towns and your saved places."
    )
    assert unknown.json()["area"] is None


async def test_the_households_own_places_are_found_and_scored(client: httpx.AsyncClient) -> None:
    await set_up_household(client)
    moka = await add_place(client)
    await add_place(client, name="Parc de la Tête d'Or", category="park", rating=4.8,
                    description="big park with a lake", website=None)  # fmt: skip
    await add_place(client, name="Kaffee Haus", city="Berlin", rating=3.9, description="cafe")
    response = await client.post(
        "/api/v1/places/search",
        json={"description": "quiet cafe to work from", "city": "Lyon", "limit": 5},
    )
    body = response.json()
    assert list(body["groups"]) == ["cafe", "park"]
    [found] = body["groups"]["cafe"]
    [park] = body["groups"]["park"]
    assert park["score"] == 15  # no keyword, but rated 4.8: + 15
    # GAME_RULES §16: 3/3 keywords × 50 + 20 category + 15 rating + 3 × 3 shared words = 94
    assert found == {
        "id": moka["id"], "name": "Café Moka", "city": "Lyon", "country": "France",
        "category": "cafe", "rating": 4.5, "website": "https://moka.example", "lat": None,
        "lon": None, "score": 94, "source": "household", "address": "",
    }  # fmt: skip
    assert body["summary"] == {"total": 2, "categories": ["cafe", "park"], "average_rating": 4.7}
    # Berlin's café is not in Lyon
    assert body["notice"] == "Searching offline: only towns and your saved places."


async def test_search_refuses_bad_input(client: httpx.AsyncClient) -> None:
    await set_up_household(client)
    for body, field in [
        ({"description": ""}, "description"),
        ({"description": "cafe", "limit": 21}, "limit"),
        ({"description": "cafe", "limit": 0}, "limit"),
        ({"description": "cafe", "extra": 1}, "extra"),
        ({"description": "the and of"}, "description"),
    ]:
        response = await client.post("/api/v1/places/search", json=body)
        assert response.status_code == 422, body
        assert response.json()["error"]["details"][0]["field"] == field


async def test_details_are_cached_and_refresh_bypasses_the_cache(
    client: httpx.AsyncClient,
) -> None:
    await set_up_household(client)
    first = await client.get("/api/v1/places/geo:78877")
    assert first.status_code == 200
    body = first.json()
    assert body["name"] == "Lyon" and body["category"] == "city" and body["cached"] is False
    assert datetime.fromisoformat(body["expires_at"]).utcoffset() is not None
    second = (await client.get("/api/v1/places/geo:78877")).json()
    assert second["cached"] is True and second["expires_at"] == body["expires_at"]
    fresh = (await client.get("/api/v1/places/geo:78877?refresh=true")).json()
    assert fresh["cached"] is False and fresh["expires_at"] > body["expires_at"]
    expires = datetime.fromisoformat(fresh["expires_at"])
    assert timedelta(hours=23, minutes=59) < expires - clock.now() <= timedelta(hours=24)


async def test_unknown_places_are_404(client: httpx.AsyncClient) -> None:
    await set_up_household(client)
    huge = "9" * 30
    for place_id in ["geo:999999999", "local:424242", f"local:{huge}", f"geo:{huge}", "osm:N1",
                     "nope:1"]:  # fmt: skip
        response = await client.get(f"/api/v1/places/{place_id}")
        assert response.status_code == 404, place_id
        assert response.json()["error"]["code"] == "not_found"
    assert (await client.get("/api/v1/places/not-an-id")).status_code == 404
    assert (await client.get("/api/v1/places/search")).status_code == 405


async def test_another_households_place_is_404_even_when_cached(
    client: httpx.AsyncClient, new_client: Any, app: Any
) -> None:
    await set_up_household(client)
    moka = await add_place(client)
    assert (await client.get(f"/api/v1/places/{moka['id']}")).json()["cached"] is False
    assert (await client.get(f"/api/v1/places/{moka['id']}")).json()["cached"] is True
    # a second household in the same database (setup only allows one, so add it directly)
    from lifeworld.accounts.models import Household, User

    async with app.state.db.sessionmaker() as session:
        other = Household(name="Others", timezone="UTC")
        session.add(other)
        await session.flush()
        user = User(household_id=other.id, username="eve", email="eve@example.org",
                    display_name="eve", password_hash=await app.state.security.passwords.hash(
                        "correct horse battery"), is_admin=True, timezone="UTC")  # fmt: skip
        session.add(user)
        await session.commit()
    eve = new_client()
    login = await eve.post(
        "/api/v1/auth/login", json={"login": "eve", "password": "correct horse battery"}
    )
    assert login.status_code == 200
    eve.headers["X-CSRF-Token"] = login.json()["csrf_token"]
    assert (await eve.get(f"/api/v1/places/{moka['id']}")).status_code == 404
    assert (await eve.delete(f"/api/v1/places/{moka['id']}")).status_code == 404
    search = await eve.post("/api/v1/places/search", json={"description": "cafe", "city": "Lyon"})
    assert search.json()["groups"] == {}


async def test_deleting_a_household_place_drops_its_cached_details(
    client: httpx.AsyncClient,
) -> None:
    await set_up_household(client)
    moka = await add_place(client)
    assert (await client.get(f"/api/v1/places/{moka['id']}")).status_code == 200
    assert (await client.get(f"/api/v1/places/{moka['id']}")).json()["cached"] is True
    assert (await client.delete(f"/api/v1/places/{moka['id']}")).status_code == 204
    assert (await client.get(f"/api/v1/places/{moka['id']}")).status_code == 404


async def test_household_place_validation(client: httpx.AsyncClient) -> None:
    await set_up_household(client)
    for fields, field in [
        ({"category": "spaceport"}, "category"),
        ({"rating": 5.5}, "rating"),
        ({"rating": True}, "rating"),
        ({"lon": False}, "lon"),
        ({"lat": 91}, "lat"),
        ({"website": "javascript:alert(1)"}, "website"),
        ({"name": "   "}, "name"),
    ]:
        response = await client.post("/api/v1/places", json={**MOKA, **fields})
        assert response.status_code == 422, fields
        assert response.json()["error"]["details"][0]["field"] == field


async def test_saved_places_belong_to_one_player(
    client: httpx.AsyncClient, new_client: Any
) -> None:
    await set_up_household(client)
    moka = await add_place(client)
    saved = await client.post(
        "/api/v1/me/saved-places", json={"place_id": moka["id"], "notes": "window seat"}
    )
    assert saved.status_code == 201
    item = saved.json()
    assert item["place_id"] == moka["id"] and item["name"] == "Café Moka"
    assert item["notes"] == "window seat" and item["favorite"] is False
    again = await client.post("/api/v1/me/saved-places", json={"place_id": moka["id"]})
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_saved"
    lyon = await client.post(
        "/api/v1/me/saved-places", json={"place_id": "geo:78877", "favorite": True}
    )
    assert lyon.status_code == 201 and lyon.json()["lat"] == pytest.approx(45.74846)
    listed = (await client.get("/api/v1/me/saved-places")).json()
    assert [p["place_id"] for p in listed] == ["geo:78877", moka["id"]]  # favourites first
    patched = await client.patch(
        f"/api/v1/me/saved-places/{item['id']}", json={"favorite": True, "notes": None}
    )
    assert patched.json()["favorite"] is True and patched.json()["notes"] is None
    missing = await client.post("/api/v1/me/saved-places", json={"place_id": "geo:999999999"})
    assert missing.status_code == 404

    grace = new_client()
    await join(grace, await invite_code(client), username="grace")
    assert (await grace.get("/api/v1/me/saved-places")).json() == []
    assert (await grace.delete(f"/api/v1/me/saved-places/{item['id']}")).status_code == 404
    patch = await grace.patch(f"/api/v1/me/saved-places/{item['id']}", json={"favorite": False})
    assert patch.status_code == 404
    # the household shares its places: grace's offline search finds the saved Lyon too
    search = await grace.post(
        "/api/v1/places/search", json={"description": "quiet cafe", "city": "Lyon"}
    )
    assert [p["id"] for p in search.json()["groups"]["cafe"]] == [moka["id"]]

    assert (await client.delete(f"/api/v1/me/saved-places/{item['id']}")).status_code == 204
    assert [p["place_id"] for p in (await client.get("/api/v1/me/saved-places")).json()] == [
        "geo:78877"
    ]
