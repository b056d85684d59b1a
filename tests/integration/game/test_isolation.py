"""One player never reads or changes another player's objects, even in the same household."""

from __future__ import annotations

from typing import Any

import httpx

from tests.integration.game.helpers import (
    NewClient,
    Player,
    add_member,
    admin_set,
    day,
    error,
    log,
    start,
    state,
)


async def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def ada_with_everything(client: httpx.AsyncClient) -> dict[str, Any]:
    """Ada's engine, custom loadout, investment, activity, sleep, boost, task and config."""
    ada = await start(client)
    await admin_set(ada, ada.user_id, {"resources": {"gold": 500}})
    engine = await ok(
        await client.post(
            "/api/v1/me/engines", json={"type": "CAREER", "name": "Ada's job", "status": "ACTIVE"}
        ),
        201,
    )
    loadout = await ok(
        await client.post(
            "/api/v1/me/loadouts", json={"name": "Ada's kit", "slots": {"PRIMARY": "focus"}}
        ),
        201,
    )
    investment = await ok(
        await client.post(
            "/api/v1/me/investments", json={"type": "CASH", "name": "Ada's jar", "amount": 100}
        ),
        201,
    )
    activity = (await log(client, "REST", description="Ada's nap"))["activity"]
    await ok(
        await client.post("/api/v1/me/sleep", json={"date": day(0), "hours": 8, "quality": 9}),
        201,
    )
    await ok(
        await client.post(
            "/api/v1/me/boosts",
            json={"type": "food", "amount": 5, "duration_min": 30, "decay_per_hour": 1},
        ),
        201,
    )
    await ok(await client.post("/api/v1/me/training/tasks/emergency-fund-1/complete"))
    await ok(await client.put("/api/v1/me/rebalancing", json={"horizon_years": 12}))
    return {
        "player": ada,
        "engine": engine,
        "loadout": loadout,
        "investment": investment["investment"],
        "activity": activity,
    }


async def snapshot(client: httpx.AsyncClient) -> dict[str, Any]:
    """Everything a player owns, as the API shows it to that player."""
    return {
        "state": await ok(await client.get("/api/v1/me/state")),
        "engines": await ok(await client.get("/api/v1/me/engines")),
        "loadouts": await ok(await client.get("/api/v1/me/loadouts")),
        "investments": await ok(await client.get("/api/v1/me/investments")),
        "activities": await ok(await client.get("/api/v1/me/activities")),
        "sleep": await ok(await client.get("/api/v1/me/sleep")),
        "training": await ok(await client.get("/api/v1/me/training")),
        "rebalancing": await ok(await client.get("/api/v1/me/rebalancing")),
        "milestones": await ok(await client.get("/api/v1/me/milestones")),
        "energy": await ok(await client.get("/api/v1/me/energy")),
    }


async def test_another_player_gets_404_and_changes_nothing(
    client: httpx.AsyncClient, new_client: NewClient
) -> None:
    ada = await ada_with_everything(client)
    bob: Player = await add_member(ada["player"], new_client)
    before = await snapshot(client)
    engine, loadout = ada["engine"]["id"], ada["loadout"]["id"]
    investment = ada["investment"]["id"]
    preset = before["loadouts"][0]["id"]
    attempts = [
        bob.client.patch(f"/api/v1/me/engines/{engine}", json={"status": "INACTIVE"}),
        bob.client.delete(f"/api/v1/me/engines/{engine}"),
        bob.client.patch(f"/api/v1/me/loadouts/{loadout}", json={"name": "Bob's now"}),
        bob.client.delete(f"/api/v1/me/loadouts/{loadout}"),
        bob.client.post(f"/api/v1/me/loadouts/{loadout}/activate"),
        bob.client.post(f"/api/v1/me/loadouts/{preset}/activate"),
        bob.client.patch(f"/api/v1/me/investments/{investment}", json={"amount": 1000}),
        bob.client.delete(f"/api/v1/me/investments/{investment}"),
    ]
    for attempt in attempts:
        response = await attempt
        assert error(response, 404)["code"] == "not_found", response.request.url
    after = await snapshot(client)
    # ada's objects and state are exactly as they were (the state's live energy included)
    assert after == before
    # nothing of bob's changed either: no gold from a "sale", no engine, default everything
    bob_state = await state(bob.client)
    assert bob_state["resources"]["gold"] == 0
    bob_loadouts = await ok(await bob.client.get("/api/v1/me/loadouts"))
    [bobs_balanced] = [row for row in bob_loadouts if row["active"]]
    assert bob_state["active_loadout"] == {"id": bobs_balanced["id"], "name": "The Balanced"}
    assert bobs_balanced["id"] not in {row["id"] for row in before["loadouts"]}


async def test_lists_never_show_another_players_objects(
    client: httpx.AsyncClient, new_client: NewClient
) -> None:
    ada = await ada_with_everything(client)
    bob = await add_member(ada["player"], new_client)
    mine = await snapshot(bob.client)
    assert mine["engines"] == []
    assert mine["investments"] == []
    assert mine["activities"] == {"items": [], "next": None}
    assert mine["sleep"] == []
    assert mine["milestones"] == []
    assert mine["energy"]["boosts"] == []
    assert mine["rebalancing"]["configured"] is False
    # training tasks are global, completion is per player
    assert mine["training"]["completed_tasks"] == 0
    # bob's own presets, not ada's custom loadout
    names = [row["name"] for row in mine["loadouts"]]
    assert "Ada's kit" not in names
    assert len(names) == 5
    ada_ids = {row["id"] for row in await ok(await client.get("/api/v1/me/loadouts"))}
    assert not ada_ids & {row["id"] for row in mine["loadouts"]}
    # a cursor pointing past ada's activity still lists only bob's (none)
    cursor = await bob.client.get(
        "/api/v1/me/activities", params={"before": ada["activity"]["id"] + 1}
    )
    assert (await ok(cursor))["items"] == []
    # bob's state is a new player's
    assert mine["state"]["xp"]["overall"] == 0
    assert mine["state"]["resources"]["keys"] == 0


async def test_same_ids_work_for_their_owner_only(
    client: httpx.AsyncClient, new_client: NewClient
) -> None:
    ada = await ada_with_everything(client)
    bob = await add_member(ada["player"], new_client)
    bob_engine = await ok(
        await bob.client.post("/api/v1/me/engines", json={"type": "LEARNING", "name": "Course"}),
        201,
    )
    # ada cannot touch bob's engine either, and bob can change his own
    denied = await client.patch(f"/api/v1/me/engines/{bob_engine['id']}", json={"name": "x"})
    assert error(denied, 404)["code"] == "not_found"
    mine = await bob.client.patch(f"/api/v1/me/engines/{bob_engine['id']}", json={"name": "MOOC"})
    assert (await ok(mine))["name"] == "MOOC"
    # a training task completed by ada is still available to bob
    done = await ok(await bob.client.post("/api/v1/me/training/tasks/emergency-fund-1/complete"))
    assert done["task_id"] == "emergency-fund-1"
    again = await client.post("/api/v1/me/training/tasks/emergency-fund-1/complete")
    assert error(again, 409)["code"] == "already_completed"
    assert [e["name"] for e in await ok(await client.get("/api/v1/me/engines"))] == ["Ada's job"]
