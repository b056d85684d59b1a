"""The loadouts page over HTTP: presets, activation, a custom set, its errors, other players."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from lifeworld.loadouts.models import Loadout
from tests.integration.factories import invite_code, join, set_up_household
from tests.integration.game.helpers import NewClient
from tests.integration.pages import (
    field_error,
    follow,
    form_error,
    hidden_fields,
    input_value,
    ready_player,
    submit,
    text,
)


async def _ids(client: httpx.AsyncClient) -> dict[str, int]:
    loadouts = (await client.get("/api/v1/me/loadouts")).json()
    return {item["name"]: int(item["id"]) for item in loadouts}


async def test_presets_are_listed_with_power_and_the_first_is_active(
    client: httpx.AsyncClient,
) -> None:
    await set_up_household(client)
    await ready_player(client)
    page = text((await client.get("/loadouts")).text)
    assert "The Balanced Active Preset 1,365 power" in page
    assert "The Warrior Preset 1,466 power" in page
    assert "XP gain +58%" in page  # The Warrior: .05 + .25 + .18 + .10


async def test_activating_a_loadout_once_moves_the_active_mark(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    await set_up_household(client)
    await ready_player(client)
    page = await client.get("/loadouts")
    warrior = (await _ids(client))["The Warrior"]
    action = f"/loadouts/{warrior}/activate"
    form = hidden_fields(page.text, action)
    first = await client.post(action, data=form)
    second = await client.post(action, data=form)
    shown = await follow(client, second)
    assert "“The Warrior” is active (power 1466): its bonuses apply from now on." in shown
    assert "recorded once" in shown
    active = await db_session.scalars(select(Loadout.name).where(Loadout.active))
    assert list(active) == ["The Warrior"]
    assert first.headers["location"] == "/loadouts#loadouts"


async def test_custom_loadout_errors_then_saved_then_edited(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    await set_up_household(client)
    await ready_player(client)
    wrong = await submit(client, "/loadouts", "/loadouts", {"name": " ", "slot_PRIMARY": "courage"})
    assert wrong.status_code == 422
    assert field_error(wrong.text, "f-name") == "Error: Give the loadout a name (1–80 characters)."
    assert field_error(wrong.text, "f-slot-primary") == ""  # checked once the name is fine
    wrong = await submit(
        client, "/loadouts", "/loadouts", {"name": "Exam week", "slot_PRIMARY": "courage"}
    )
    assert field_error(wrong.text, "f-slot-primary") == (
        "Error: Courage goes in the SECONDARY slot."
    )
    assert input_value(wrong.text, "f-name") == "Exam week"
    assert await db_session.scalar(select(func.count()).select_from(Loadout)) == 5

    data = {"name": "Exam week", "slot_PRIMARY": "focus", "slot_TACTICAL": "efficiency"}
    done = await submit(client, "/loadouts", "/loadouts", data)
    shown = await follow(client, done)
    # §13: round(1.2 × 290 + 0.9 × 200) + 30 (Focus with Efficiency) = 558.
    assert "“Exam week” saved with power 558." in shown

    exam = (await _ids(client))["Exam week"]
    edit = await client.get(f"/loadouts/{exam}/edit")
    assert re.search(r'<option value="focus" selected', edit.text)
    saved = await submit(
        client,
        f"/loadouts/{exam}/edit",
        f"/loadouts/{exam}",
        {"name": "Exams", "slot_PRIMARY": "focus", "slot_TACTICAL": ""},
    )
    assert "“Exams” saved: power 348." in await follow(client, saved)  # 1.2 × 290


async def test_presets_cannot_be_edited_or_deleted(client: httpx.AsyncClient) -> None:
    await set_up_household(client)
    await ready_player(client)
    page = await client.get("/loadouts")
    balanced = (await _ids(client))["The Balanced"]
    edit = await client.get(f"/loadouts/{balanced}/edit")
    assert edit.headers["location"] == "/loadouts#loadouts"
    delete = await client.post(
        f"/loadouts/{balanced}/delete",
        data=hidden_fields(page.text, "/loadouts"),
    )
    assert delete.status_code == 409
    assert form_error(delete.text) == "Preset loadouts cannot be edited or deleted."


async def test_another_players_loadout_is_the_404_page(
    client: httpx.AsyncClient, new_client: NewClient
) -> None:
    await set_up_household(client)
    await ready_player(client)
    theirs = (await _ids(client))["The Warrior"]
    other = new_client()
    await join(other, await invite_code(client), username="bob")
    page = await other.get("/loadouts")
    mine = (await _ids(other))["The Warrior"]
    fields = hidden_fields(page.text, f"/loadouts/{mine}/activate")
    for action in (
        f"/loadouts/{theirs}/activate",
        f"/loadouts/{theirs}/delete",
        f"/loadouts/{theirs}",
    ):
        response = await other.post(action, data={**fields, "name": "Mine now"})
        assert response.status_code == 404, action
        assert "Page not found" in text(response.text)
    assert (await other.get(f"/loadouts/{theirs}/edit")).status_code == 404
