"""The energy page over HTTP: sleep (restoration, errors, twice), boosts, the history."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from lifeworld.energy.models import BoostRecord, SleepLog
from tests.integration.factories import set_up_household
from tests.integration.pages import (
    field_error,
    follow,
    hidden_fields,
    input_value,
    ready_player,
    submit,
    text,
)


async def test_energy_page_shows_energy_and_defaults_the_night_to_today(
    client: httpx.AsyncClient,
) -> None:
    await set_up_household(client)
    await ready_player(client)
    state = (await client.get("/api/v1/me/state")).json()
    page = await client.get("/energy")
    assert page.status_code == 200
    assert "Energy now 100 of 100" in text(page.text)
    assert input_value(page.text, "f-date") == state["day"]["today"]
    assert "No nights logged yet." in text(page.text)


async def test_sleep_restores_energy_once_and_is_listed(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    await set_up_household(client)
    await ready_player(client)
    await client.post("/api/v1/me/activities", json={"type": "WORK_PROJECT"})
    page = await client.get("/energy")
    form = {**hidden_fields(page.text, "/energy/sleep"), "hours": "7.5", "quality": "8"}
    form["date"] = input_value(page.text, "f-date")
    first = await client.post("/energy/sleep", data=form)
    second = await client.post("/energy/sleep", data=form)
    assert first.headers["location"] == second.headers["location"] == "/energy#sleep"
    shown = await follow(client, first)
    # §11: floor(7.5 × 1.3) + 20 = 29; from 73 (the work cost round(30 × 0.9) = 27 with The
    # Balanced) to min(73 + 29, cap 100) = 100: +27.
    assert "restoration 29. +27 energy: 100 of 100." in shown
    assert "8 · good 29" in shown
    assert await db_session.scalar(select(func.count()).select_from(SleepLog)) == 1
    assert (await client.get("/api/v1/me/energy")).json()["usable"] == 100


async def test_sleep_errors_keep_values_and_write_nothing(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    await set_up_household(client)
    await ready_player(client)
    data = {"date": "2999-01-01", "hours": "25", "quality": "8", "bed_time": "25:99"}
    wrong = await submit(client, "/energy", "/energy/sleep", data)
    assert wrong.status_code == 422
    assert (
        field_error(wrong.text, "f-hours")
        == "Error: Enter hours slept, from 0 to 24 (for example 7.5)."
    )
    assert field_error(wrong.text, "f-bed-time") == "Error: Enter a time like 23:15."
    assert input_value(wrong.text, "f-hours") == "25"
    future = await submit(
        client, "/energy", "/energy/sleep", {**data, "hours": "8", "bed_time": ""}
    )
    assert future.status_code == 422
    assert field_error(future.text, "f-date") == "Error: The date is in the future."
    assert await db_session.scalar(select(func.count()).select_from(SleepLog)) == 0


async def test_boost_is_noted_and_shown(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    await set_up_household(client)
    await ready_player(client)
    wrong = await submit(
        client,
        "/energy",
        "/energy/boosts",
        {"type": "caffeine", "amount": "500", "duration_min": "60", "decay_per_hour": "1"},
    )
    assert wrong.status_code == 422
    assert field_error(wrong.text, "f-amount") == "Error: Enter an amount from 0 to 100."
    assert await db_session.scalar(select(func.count()).select_from(BoostRecord)) == 0
    done = await submit(
        client,
        "/energy",
        "/energy/boosts",
        {"type": "caffeine", "amount": "15", "duration_min": "60", "decay_per_hour": "5"},
    )
    page = await follow(client, done)
    assert "Caffeine boost of 15 noted for 60 min." in page
    assert "Caffeine +15" in page
