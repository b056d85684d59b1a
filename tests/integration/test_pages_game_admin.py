"""The admin page over HTTP: only the admin, setting a member (errors, twice), the audit log."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from lifeworld.admin.models import AuditEntry
from tests.integration.factories import invite_code, join, set_up_household
from tests.integration.game.helpers import NewClient
from tests.integration.pages import (
    field_error,
    follow,
    hidden_fields,
    input_value,
    ready_player,
    text,
)


async def _household(
    client: httpx.AsyncClient, new_client: NewClient
) -> tuple[int, httpx.AsyncClient]:
    await set_up_household(client)
    member = new_client()
    joined = await join(member, await invite_code(client), username="bob")
    await ready_player(member)
    return int(joined["user"]["id"]), member


async def test_only_the_admin_sees_the_page(
    client: httpx.AsyncClient, new_client: NewClient
) -> None:
    bob, member = await _household(client, new_client)
    page = await member.get("/admin")
    assert page.status_code == 403
    assert "Only the household admin can open this page." in text(page.text)
    settings = await member.get("/settings")
    fields = hidden_fields(settings.text, "/settings/profile")
    refused = await member.post(f"/admin/players/{bob}", data={**fields, "cloud_capacity": "1"})
    assert refused.status_code == 403
    assert 'href="/admin"' not in settings.text  # not in a member's navigation either


async def test_admin_sets_a_member_once_and_the_change_is_audited(
    client: httpx.AsyncClient, new_client: NewClient, db_session: AsyncSession
) -> None:
    bob, member = await _household(client, new_client)
    page = await client.get(f"/admin?member={bob}")
    assert page.status_code == 200
    assert input_value(page.text, "f-cloud-capacity") == "75"
    assert input_value(page.text, "f-res-oxygen") == "3"
    action = f"/admin/players/{bob}"
    fields = hidden_fields(page.text, action)

    wrong = await client.post(action, data={**fields, "cloud_capacity": "101", "res_gold": "x"})
    assert wrong.status_code == 422
    assert (
        field_error(wrong.text, "f-cloud-capacity") == "Error: Enter a whole number from 0 to 100."
    )
    assert (
        field_error(wrong.text, "f-res-gold")
        == "Error: Enter an amount of gold, at most 2 decimals."
    )
    assert input_value(wrong.text, "f-cloud-capacity") == "101"
    assert await db_session.scalar(select(func.count()).select_from(AuditEntry)) == 0

    form = {**fields, "cloud_capacity": "40", "season": "WINTER", "res_gold": "100"}
    first = await client.post(action, data=form)
    await client.post(action, data=form)
    assert first.headers["location"] == f"/admin?member={bob}#member"
    shown = await follow(client, first)
    assert "Saved. Every change is in the audit log below." in shown
    assert "ada set bob" in shown
    assert "clouds.capacity 75 → 40" in shown and "season SPRING → WINTER" in shown
    assert "resources.gold 3500.00 → 100" in shown
    assert await db_session.scalar(select(func.count()).select_from(AuditEntry)) == 1
    state = (await member.get("/api/v1/me/state")).json()
    assert state["clouds"]["capacity"] == 40 and state["season"]["name"] == "WINTER"


async def test_a_member_of_another_household_is_the_404_page(
    client: httpx.AsyncClient, new_client: NewClient
) -> None:
    await set_up_household(client)
    assert (await client.get("/admin?member=999999")).status_code == 404
    page = await client.get("/admin")
    fields = hidden_fields(
        page.text, f"/admin/players/{(await client.get('/api/v1/me/state')).json()['user']['id']}"
    )
    response = await client.post("/admin/players/999999", data={**fields, "cloud_capacity": "1"})
    assert response.status_code == 404
