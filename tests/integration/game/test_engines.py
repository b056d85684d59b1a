"""Income engines: CRUD, REDUCED_FRAGILITY, and the oxygen decay they offset (§6 step 1, §8, §9)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.integration.game.helpers import admin_set, at, dec, error, start, state


async def create(client: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/me/engines", json={"type": "CAREER", "name": "Day job", **fields}
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_engine_crud(client: httpx.AsyncClient) -> None:
    await start(client)
    assert (await client.get("/api/v1/me/engines")).json() == []
    engine = await create(client, description="salaried work")
    # §9 defaults: fragility 50, status PLANNING; monthly output 0
    assert engine["type"] == "CAREER"
    assert engine["name"] == "Day job"
    assert engine["description"] == "salaried work"
    assert engine["fragility"] == 50
    assert engine["status"] == "PLANNING"
    assert dec(engine["monthly_output"]) == 0
    assert engine["milestones"] == []
    second = await create(
        client,
        type="BUSINESS",
        name="Bike repairs",
        fragility=20,
        monthly_output=350.5,
        status="ACTIVE",
    )
    listed = (await client.get("/api/v1/me/engines")).json()
    assert [e["id"] for e in listed] == [engine["id"], second["id"]]
    assert dec(listed[1]["monthly_output"]) == dec("350.5")

    response = await client.patch(
        f"/api/v1/me/engines/{engine['id']}", json={"fragility": 70, "name": "Main job"}
    )
    assert response.status_code == 200, response.text
    patched = response.json()
    assert (patched["name"], patched["fragility"], patched["status"]) == (
        "Main job",
        70,
        "PLANNING",
    )
    assert patched["description"] == "salaried work"  # not given, kept

    assert (await client.delete(f"/api/v1/me/engines/{engine['id']}")).status_code == 204
    assert [e["id"] for e in (await client.get("/api/v1/me/engines")).json()] == [second["id"]]
    again = await client.delete(f"/api/v1/me/engines/{engine['id']}")
    assert error(again, 404)["code"] == "not_found"
    missing = await client.patch(f"/api/v1/me/engines/{engine['id']}", json={"name": "x"})
    assert error(missing, 404)["code"] == "not_found"


@pytest.mark.parametrize(
    "body",
    [
        {"type": "LOTTERY", "name": "x"},
        {"type": "CAREER", "name": ""},
        {"type": "CAREER", "name": "x", "fragility": 101},
        {"type": "CAREER", "name": "x", "fragility": -1},
        {"type": "CAREER", "name": "x", "status": "RUNNING"},
        {"type": "CAREER", "name": "x", "monthly_output": -1},
        {"type": "CAREER", "name": "x", "owner": 2},
        {"name": "x"},
    ],
)
async def test_bad_engines_are_422(client: httpx.AsyncClient, body: dict[str, Any]) -> None:
    await start(client)
    response = await client.post("/api/v1/me/engines", json=body)
    assert error(response, 422)["code"] == "invalid_field"
    assert (await client.get("/api/v1/me/engines")).json() == []


async def test_absurd_engine_ids_are_422(client: httpx.AsyncClient) -> None:
    await start(client)
    for path in ("99999999999999999999", "-1", "0", "abc"):
        assert error(await client.delete(f"/api/v1/me/engines/{path}"), 422)["code"] == (
            "invalid_field"
        )
        patch = await client.patch(f"/api/v1/me/engines/{path}", json={"name": "x"})
        assert error(patch, 422)["code"] == "invalid_field"
    # the largest bigint is a valid id that simply does not exist
    assert error(await client.delete(f"/api/v1/me/engines/{2**63 - 1}"), 404)["code"] == (
        "not_found"
    )


async def test_two_active_engines_award_reduced_fragility_once(client: httpx.AsyncClient) -> None:
    await start(client)
    first = await create(client, status="ACTIVE")
    assert first["milestones"] == []
    planned = await create(client, name="Blog")  # PLANNING does not count
    assert planned["milestones"] == []
    assert (await state(client))["resources"]["keys"] == 0
    # the second ACTIVE engine: ≥ 2 ACTIVE → REDUCED_FRAGILITY, +1 key
    response = await client.patch(f"/api/v1/me/engines/{planned['id']}", json={"status": "ACTIVE"})
    assert response.json()["milestones"] == [{"type": "REDUCED_FRAGILITY", "keys": 1}]
    assert (await state(client))["resources"]["keys"] == 1
    # down to one and back up to two: not awarded again
    await client.patch(f"/api/v1/me/engines/{first['id']}", json={"status": "INACTIVE"})
    again = await client.patch(f"/api/v1/me/engines/{first['id']}", json={"status": "ACTIVE"})
    assert again.json()["milestones"] == []
    third = await create(client, name="Dividends", type="INVESTMENT", status="ACTIVE")
    assert third["milestones"] == []
    assert (await state(client))["resources"]["keys"] == 1
    milestones = (await client.get("/api/v1/me/milestones")).json()
    assert [(m["type"], m["keys"]) for m in milestones] == [("REDUCED_FRAGILITY", 1)]


@pytest.mark.parametrize(
    ("active", "inactive", "days", "oxygen"),
    [
        # no active engine: −0.1 a day; 5 − 1 × 0.1 = 4.9
        (0, 0, 1, "4.9"),
        # one active: max(0, 0.1 − 0.05) = 0.05 a day; 5 − 0.05 = 4.95, after 3 days 4.85
        (1, 0, 1, "4.95"),
        (1, 2, 3, "4.85"),  # INACTIVE and PLANNING engines do not offset anything
        # two active: max(0, 0.1 − 0.1) = 0 — no decay
        (2, 0, 5, "5"),
        # three active: max(0, 0.1 − 0.15) = 0 — never a gain
        (3, 0, 2, "5"),
        # none, ten days: 5 − 10 × 0.1 = 4
        (0, 1, 10, "4"),
    ],
)
async def test_oxygen_decay_is_offset_by_active_engines(
    client: httpx.AsyncClient, active: int, inactive: int, days: int, oxygen: str
) -> None:
    player = await start(client)
    await admin_set(player, player.user_id, {"resources": {"oxygen": 5}})
    for n in range(active):
        await create(client, name=f"active {n}", status="ACTIVE")
    for n in range(inactive):
        await create(client, name=f"idle {n}", status="INACTIVE" if n % 2 else "PLANNING")
    at(days=days)
    assert dec((await state(client))["resources"]["oxygen"]) == dec(oxygen)


async def test_oxygen_decay_stops_at_zero(client: httpx.AsyncClient) -> None:
    player = await start(client)
    await admin_set(player, player.user_id, {"resources": {"oxygen": 0.15}})
    at(days=1)
    assert dec((await state(client))["resources"]["oxygen"]) == dec("0.05")  # 0.15 − 0.1
    at(days=2)
    assert dec((await state(client))["resources"]["oxygen"]) == 0  # max(0, 0.05 − 0.1)
