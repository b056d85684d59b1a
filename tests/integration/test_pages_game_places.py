"""The places page over HTTP: own places, the search, saving (twice), notes, other players."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from lifeworld.places.models import HouseholdPlace, SavedPlace
from tests.integration.factories import invite_code, join, set_up_household
from tests.integration.game.helpers import NewClient
from tests.integration.pages import (
    field_error,
    follow,
    form_error,
    hidden_fields,
    input_value,
    submit,
    text,
)

PLACE = {
    "name": "Lantern Reading Room",
    "category": "library",
    "city": "York",
    "rating": "4.6",
    "description": "quiet library with big desks to study",
}
SEARCH = "/places?description=quiet+library+to+study&city=York"


async def _count(db: AsyncSession, model: type) -> int:
    return int(await db.scalar(select(func.count()).select_from(model)) or 0)


async def test_own_place_errors_keep_values_then_it_is_found(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    await set_up_household(client)
    wrong = await submit(
        client, "/places", "/places/own", {**PLACE, "rating": "7", "website": "ftp://x"}
    )
    assert wrong.status_code == 422
    assert field_error(wrong.text, "own-rating") == "Error: Enter a rating from 0 to 5, like 4.5."
    assert field_error(wrong.text, "own-website").startswith("Error: Enter an address starting")
    assert input_value(wrong.text, "own-name") == "Lantern Reading Room"
    assert await _count(db_session, HouseholdPlace) == 0

    page = await client.get("/places")
    form = {**hidden_fields(page.text, "/places/own"), **PLACE}
    await client.post("/places/own", data=form)
    again = await client.post("/places/own", data=form)
    assert "recorded once" in await follow(client, again)
    assert await _count(db_session, HouseholdPlace) == 1

    found = await client.get(SEARCH)
    assert found.status_code == 200
    words = text(found.text)
    assert "1 place in York · average rating 4.6" in words
    assert "Library (1)" in words and "Lantern Reading Room" in words


async def test_search_errors_are_shown_next_to_the_field(client: httpx.AsyncClient) -> None:
    await set_up_household(client)
    empty = await client.get("/places?description=&city=York")
    assert empty.status_code == 422
    assert field_error(empty.text, "f-description").startswith("Error: Say what you are looking")
    assert input_value(empty.text, "f-city") == "York"
    stop_words = await client.get("/places?description=the+a+of&city=York")
    assert stop_words.status_code == 422
    assert field_error(stop_words.text, "f-description") == (
        "Error: Say what you are looking for, e.g. 'quiet cafe'."
    )
    assert (await client.get("/places")).status_code == 200  # no search sent: no error


async def test_saving_a_place_then_notes_then_removal(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    await set_up_household(client)
    added = await client.post("/api/v1/places", json=PLACE)
    place_id = added.json()["id"]
    page = await client.get(SEARCH)
    form = {**hidden_fields(page.text, "/places/saved"), "notes": "Window seats", "favorite": "on"}
    assert form["place_id"] == place_id
    saved = await client.post("/places/saved", data=form)
    assert saved.headers["location"].endswith("city=York#saved")
    shown = await follow(client, saved)
    assert "“Lantern Reading Room” saved as a favourite." in shown
    assert "Favourite: Lantern Reading Room" in shown and "Window seats" in shown

    twice = await client.post(
        "/places/saved", data={**form, "form_nonce": "another-nonce-12345678"}
    )
    assert twice.status_code == 409
    assert form_error(twice.text) == "You have already saved this place."
    assert await _count(db_session, SavedPlace) == 1

    saved_id = (await client.get("/api/v1/me/saved-places")).json()[0]["id"]
    page = await client.get("/places")
    edited = await client.post(
        f"/places/saved/{saved_id}",
        data={**hidden_fields(page.text, f"/places/saved/{saved_id}"), "notes": ""},
    )
    shown = await follow(client, edited)
    assert "“Lantern Reading Room” updated." in shown and "Window seats" not in shown
    removed = await submit(client, "/places", f"/places/saved/{saved_id}/delete", {})
    assert "Saved place removed." in await follow(client, removed)
    assert await _count(db_session, SavedPlace) == 0


async def test_another_players_saved_place_is_the_404_page(
    client: httpx.AsyncClient, new_client: NewClient
) -> None:
    await set_up_household(client)
    added = (await client.post("/api/v1/places", json=PLACE)).json()
    theirs = (await client.post("/api/v1/me/saved-places", json={"place_id": added["id"]})).json()
    other = new_client()
    await join(other, await invite_code(client), username="bob")
    page = await other.get("/places")
    fields = hidden_fields(page.text, "/places/own")
    for action in (f"/places/saved/{theirs['id']}", f"/places/saved/{theirs['id']}/delete"):
        response = await other.post(action, data={**fields, "notes": "mine"})
        assert response.status_code == 404, action


async def test_saving_a_place_nobody_can_see_is_a_404_next_to_the_form(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    await set_up_household(client)
    page = await client.get("/places")
    fields = hidden_fields(page.text, "/places/own")
    missing = await client.post("/places/saved", data={**fields, "place_id": "local:999999"})
    assert missing.status_code == 404
    assert form_error(missing.text) == "There is no such place."
    forged = await client.post("/places/saved", data={**fields, "place_id": "javascript:x()"})
    assert forged.status_code == 422
    assert form_error(forged.text) == "This place cannot be saved: search again."
    assert await _count(db_session, SavedPlace) == 0
