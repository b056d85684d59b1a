"""The engines page over HTTP: add (errors, twice), switch status, remove, other players."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from lifeworld.engines.models import Engine
from tests.integration.factories import invite_code, join, set_up_household
from tests.integration.game.helpers import NewClient
from tests.integration.pages import (
    field_error,
    follow,
    hidden_fields,
    input_value,
    ready_player,
    submit,
    text,
)

ENGINE = {"type": "CAREER", "name": "Day job", "fragility": "50", "status": "ACTIVE"}


async def test_adding_an_engine_once_and_its_errors(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    await set_up_household(client)
    await ready_player(client)
    wrong = await submit(client, "/engines", "/engines", {**ENGINE, "fragility": "101"})
    assert wrong.status_code == 422
    assert field_error(wrong.text, "f-fragility") == (
        "Error: Enter a number from 0 (fragile) to 100 (robust)."
    )
    assert input_value(wrong.text, "f-name") == "Day job"
    page = await client.get("/engines")
    form = {**hidden_fields(page.text, "/engines"), **ENGINE, "monthly_output": ""}
    await client.post("/engines", data=form)
    again = await client.post("/engines", data=form)
    shown = await follow(client, again)
    assert "Engine “Day job” added (active)." in shown and "recorded once" in shown
    assert "First asset" in shown  # the questionnaire's gold, checked with this change (§8)
    assert await db_session.scalar(select(func.count()).select_from(Engine)) == 1
    assert "Day job" in text((await client.get("/")).text)


async def test_two_active_engines_reach_a_milestone_and_removal(client: httpx.AsyncClient) -> None:
    await set_up_household(client)
    first = (await client.post("/api/v1/me/engines", json={"type": "CAREER", "name": "Job"})).json()
    await client.post(
        "/api/v1/me/engines", json={"type": "BUSINESS", "name": "Shop", "status": "ACTIVE"}
    )
    switched = await submit(client, "/engines", f"/engines/{first['id']}", {"status": "ACTIVE"})
    shown = await follow(client, switched)
    assert "“Job” is now active. Milestone reached: Reduced fragility (two active engines)" in shown
    removed = await submit(client, "/engines", f"/engines/{first['id']}/delete", {})
    assert "Engine removed." in await follow(client, removed)


async def test_another_players_engine_is_the_404_page(
    client: httpx.AsyncClient, new_client: NewClient
) -> None:
    await set_up_household(client)
    theirs = (
        await client.post("/api/v1/me/engines", json={"type": "CAREER", "name": "Job"})
    ).json()
    other = new_client()
    await join(other, await invite_code(client), username="bob")
    page = await other.get("/engines")
    fields = hidden_fields(page.text, "/engines")
    for action in (f"/engines/{theirs['id']}", f"/engines/{theirs['id']}/delete"):
        response = await other.post(action, data={**fields, "status": "INACTIVE"})
        assert response.status_code == 404, action
