"""The household admin sets a member's figures; every change is audited (§17, API.md Admin)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from lifeworld.accounts.models import Household, User
from lifeworld.clock import clock
from lifeworld.db.scope import Scope
from lifeworld.players.models import Player as PlayerRow
from lifeworld.players.service import create_player
from tests.integration.game.helpers import (
    NewClient,
    add_member,
    admin_set,
    cats,
    day,
    dec,
    error,
    start,
    state,
)


async def audit(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await client.get("/api/v1/admin/audit")
    assert response.status_code == 200, response.text
    body: list[dict[str, Any]] = response.json()
    return body


async def test_any_subset_and_the_rest_stays(
    client: httpx.AsyncClient, new_client: NewClient
) -> None:
    admin = await start(client)
    bob = await add_member(admin, new_client)
    original = await state(bob.client)

    body = await admin_set(admin, bob.user_id, {"clouds": {"capacity": 80}})
    assert body["user"]["id"] == bob.user_id
    assert body["clouds"] == {
        "capacity": 80,
        "engines": 50,
        "oxygen": 50,
        "meaning": 50,
        "optionality": 50,
    }
    assert body["resources"] == original["resources"]
    assert body["xp"] == original["xp"]
    assert body["season"] == original["season"]
    # capacity 80 → cap 110 (§2)
    assert body["energy"]["cap"] == 110

    body = await admin_set(
        admin, bob.user_id, {"resources": {"gold": 1234.56, "keys": 4, "oxygen": 2.5}}
    )
    assert {k: dec(v) for k, v in body["resources"].items()} == {
        "oxygen": dec("2.5"),
        "water": 50,
        "gold": dec("1234.56"),
        "armor": 0,
        "keys": 4,
    }
    assert body["clouds"]["capacity"] == 80  # kept from the first change

    body = await admin_set(
        admin, bob.user_id, {"xp": {"overall": 1500, "categories": {"meaning": 2100}}}
    )
    assert body["xp"]["overall"] == 1500
    assert body["xp"]["categories"] == cats(0, 0, 0, 2100, 0)
    assert body["xp"]["category_levels"]["meaning"] == 3  # floor(2100 / 1000) + 1
    assert body["rank"]["name"] == "PRIVATE"  # 1,000 ≤ 1,500 < 5,000

    body = await admin_set(admin, bob.user_id, {"season": "SUMMER"})
    assert body["season"] == {"name": "SUMMER", "started_on": day(0), "days_in_season": 0}

    # bob sees it all himself
    seen = await state(bob.client)
    assert seen["clouds"]["capacity"] == 80
    assert dec(seen["resources"]["gold"]) == dec("1234.56")
    assert seen["xp"]["overall"] == 1500
    assert seen["season"]["name"] == "SUMMER"

    # an empty body changes nothing and records nothing
    before = await audit(client)
    body = await admin_set(admin, bob.user_id, {})
    assert body["clouds"] == seen["clouds"]
    assert await audit(client) == before


async def test_every_change_is_audited_with_its_author(
    client: httpx.AsyncClient, new_client: NewClient
) -> None:
    admin = await start(client)
    bob = await add_member(admin, new_client)
    await admin_set(admin, bob.user_id, {"clouds": {"capacity": 33, "engines": 50}})
    await admin_set(
        admin,
        admin.user_id,
        {"resources": {"water": 12.5}, "xp": {"overall": 10}, "season": "WINTER"},
    )
    entries = await audit(client)
    assert len(entries) == 2
    newest, oldest = entries
    assert (oldest["actor_id"], oldest["actor"]) == (admin.user_id, "ada")
    assert (oldest["target_user_id"], oldest["target"]) == (bob.user_id, "bob")
    # only real changes are recorded: engines was already 50
    assert oldest["changes"] == {"clouds.capacity": {"from": 50, "to": 33}}
    assert (newest["actor"], newest["target"]) == ("ada", "ada")
    changes = newest["changes"]
    assert set(changes) == {"resources.water", "xp.overall", "season"}
    assert (dec(changes["resources.water"]["from"]), dec(changes["resources.water"]["to"])) == (
        dec(50),
        dec("12.5"),
    )
    assert changes["xp.overall"] == {"from": 0, "to": 10}
    assert changes["season"] == {"from": "SPRING", "to": "WINTER"}
    assert all(e["created_at"] for e in entries)


async def test_a_member_is_not_the_admin(client: httpx.AsyncClient, new_client: NewClient) -> None:
    admin = await start(client)
    bob = await add_member(admin, new_client)
    before = await state(client)
    response = await bob.client.put(
        f"/api/v1/admin/players/{admin.user_id}", json={"resources": {"gold": 1000000}}
    )
    assert error(response, 403)["code"] == "admin_only"
    own = await bob.client.put(
        f"/api/v1/admin/players/{bob.user_id}", json={"resources": {"gold": 1000000}}
    )
    assert error(own, 403)["code"] == "admin_only"
    assert error(await bob.client.get("/api/v1/admin/audit"), 403)["code"] == "admin_only"
    assert (await state(client))["resources"] == before["resources"]
    assert dec((await state(bob.client))["resources"]["gold"]) == 0
    assert await audit(client) == []


async def test_a_player_of_another_household_is_not_found(
    client: httpx.AsyncClient, db_session: AsyncSession, scope: Scope
) -> None:
    admin = await start(client)
    # A second household created directly in the database, as the admin CLI does.
    household = Household(name="The Babbages", timezone="UTC")
    db_session.add(household)
    await db_session.flush()
    stranger = User(
        household_id=household.id,
        username="charles",
        email="charles@example.org",
        display_name="charles",
        password_hash="not-a-real-hash",
        is_admin=True,
        timezone="UTC",
        day_start_hour=0,
    )
    db_session.add(stranger)
    await db_session.flush()
    await create_player(scope, user=stranger, now=clock.now())
    await db_session.commit()

    response = await client.put(
        f"/api/v1/admin/players/{stranger.id}", json={"clouds": {"capacity": 1}}
    )
    assert error(response, 404)["code"] == "not_found"
    row = await db_session.scalar(
        select(PlayerRow)
        .where(PlayerRow.user_id == stranger.id)
        .execution_options(populate_existing=True)
    )
    assert row is not None
    assert (row.capacity, row.version) == (50, 1)
    assert await audit(client) == []
    # and an id nobody has
    missing = await client.put("/api/v1/admin/players/987654321", json={})
    assert error(missing, 404)["code"] == "not_found"
    assert admin.user_id != stranger.id


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"clouds": {"capacity": 101}}, "clouds.capacity"),
        ({"clouds": {"meaning": -1}}, "clouds.meaning"),
        ({"resources": {"water": 100.5}}, "resources.water"),
        ({"resources": {"gold": -5}}, "resources.gold"),
        ({"resources": {"oxygen": -0.1}}, "resources.oxygen"),
        ({"resources": {"armor": 101}}, "resources.armor"),
        ({"resources": {"keys": -1}}, "resources.keys"),
        ({"xp": {"overall": -1}}, "xp.overall"),
        ({"xp": {"categories": {"engines": -10}}}, "xp.categories.engines"),
        ({"season": "MONSOON"}, "season"),
        ({"energy": 110}, "energy"),
        ({"clouds": {"luck": 3}}, "clouds.luck"),
    ],
)
async def test_bad_values_are_422_and_write_nothing(
    client: httpx.AsyncClient, new_client: NewClient, body: dict[str, Any], field: str
) -> None:
    admin = await start(client)
    bob = await add_member(admin, new_client)
    before = await state(bob.client)
    # valid fields alongside the bad one are not applied either
    response = await client.put(
        f"/api/v1/admin/players/{bob.user_id}", json={**body, "xp": body.get("xp", {"overall": 7})}
    )
    err = error(response, 422)
    assert err["code"] == "invalid_field"
    assert field in [d["field"] for d in err["details"]]
    after = await state(bob.client)
    assert after["version"] == before["version"]
    assert after["xp"]["overall"] == 0
    assert await audit(client) == []


async def test_absurd_user_ids_are_422(client: httpx.AsyncClient) -> None:
    await start(client)
    for bad in ("99999999999999999999", "0", "-1", "bob"):
        response = await client.put(f"/api/v1/admin/players/{bad}", json={})
        assert error(response, 422)["code"] == "invalid_field"
