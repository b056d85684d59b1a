"""Loadouts: presets, power, benefits, activation and their effect on activities (§3.1, §13)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.integration.game.helpers import cats, dec, error, log, start, state

PRESETS = ["The Balanced", "The Warrior", "The Strategist", "The Guardian", "The Explorer"]


async def loadouts(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await client.get("/api/v1/me/loadouts")
    assert response.status_code == 200, response.text
    body: list[dict[str, Any]] = response.json()
    return body


def by_name(rows: list[dict[str, Any]], name: str) -> dict[str, Any]:
    [row] = [r for r in rows if r["name"] == name]
    return row


def benefits(row: dict[str, Any]) -> dict[str, Any]:
    return {k: dec(v) for k, v in row["benefits"].items()}


async def activate(client: httpx.AsyncClient, loadout_id: int) -> dict[str, Any]:
    response = await client.post(f"/api/v1/me/loadouts/{loadout_id}/activate")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_player_is_born_with_the_five_presets_the_balanced_active(
    client: httpx.AsyncClient,
) -> None:
    """§13: the presets are created with the player, in the same transaction; the state shows
    The Balanced active before the Loadouts page was ever read, and reads create nothing."""
    await start(client)
    first_state = await state(client)
    rows = await loadouts(client)
    assert [r["name"] for r in rows] == PRESETS
    assert [r["active"] for r in rows] == [True, False, False, False, False]
    assert all(r["preset"] for r in rows)
    assert first_state["active_loadout"] == {"id": rows[0]["id"], "name": "The Balanced"}
    assert (await state(client))["version"] == first_state["version"]  # the read wrote nothing
    assert [r["id"] for r in await loadouts(client)] == [r["id"] for r in rows]


async def test_preset_power_and_benefits(client: httpx.AsyncClient) -> None:
    await start(client)
    rows = await loadouts(client)
    balanced = by_name(rows, "The Balanced")
    assert {slot: item["name"] for slot, item in balanced["slots"].items()} == {
        "PRIMARY": "Resilience",
        "SECONDARY": "Patience",
        "GRENADE": "Quick Recovery",
        "ARMOR_ABILITY": "Regeneration",
        "TACTICAL": "Synergy",
        "SUPPORT": "Balance",
    }
    # 1.2 × 300 + 1.1 × 230 + 140 + 170 + 0.9 × 210 + 0.9 × 170
    # = 360 + 253 + 140 + 170 + 189 + 153 = 1,265; no pair synergy; six slots +100 → 1,365
    assert balanced["power"] == 1365
    # capacity 15 + 8 + 20 + 12 + 5 = 60; meaning 12 + 5 = 17; engines 8 + 5 = 13;
    # oxygen 8 + 5 = 13; optionality 5; xpGain .12; energyCostReduction .10; efficiency .12
    assert benefits(balanced) == {
        "capacity": 60,
        "meaning": 17,
        "engines": 13,
        "oxygen": 13,
        "optionality": 5,
        "xp_gain": dec("0.12"),
        "energy_cost_reduction": dec("0.10"),
        "energy_efficiency": dec("0.12"),
    }
    warrior = by_name(rows, "The Warrior")
    # 1.2 × 320 + 1.1 × 250 + 160 + 180 + 0.9 × 220 + 0.9 × 160
    # = 384 + 275 + 160 + 180 + 198 + 144 = 1,341; Determination + Motivation +25; +100 → 1,466
    assert warrior["power"] == 1466
    # xpGain .05 + .25 + .18 + .10 = .58; oxygen 5 + 15 = 20; meaning 5 + 10 = 15;
    # optionality 5 + 15 = 20; capacity 10; engines 10; armor 10; energyEfficiency .10
    assert benefits(warrior) == {
        "capacity": 10,
        "engines": 10,
        "oxygen": 20,
        "meaning": 15,
        "optionality": 20,
        "armor": 10,
        "xp_gain": dec("0.58"),
        "energy_efficiency": dec("0.10"),
    }
    strategist = by_name(rows, "The Strategist")
    # 1.2 × 290 + 1.1 × 240 + 150 + 190 + 0.9 × 200 + 0.9 × 150
    # = 348 + 264 + 150 + 190 + 180 + 135 = 1,267; Focus + Efficiency +30; +100 → 1,397
    assert strategist["power"] == 1397
    # efficiency .10 + .15 + .20 + .20 = .65; xpGain .15; reduction .15; oxygen 10;
    # capacity 25; meaning 15; optionality 10
    assert benefits(strategist) == {
        "xp_gain": dec("0.15"),
        "energy_cost_reduction": dec("0.15"),
        "energy_efficiency": dec("0.65"),
        "oxygen": 10,
        "capacity": 25,
        "meaning": 15,
        "optionality": 10,
    }
    # Guardian: 360 + 253 + 140 + 190 + 189 + 153 = 1,285 + 100 = 1,385
    assert by_name(rows, "The Guardian")["power"] == 1385
    # Explorer: 1.2 × 280 + 275 + 160 + 180 + 198 + 0.9 × 150
    # = 336 + 275 + 160 + 180 + 198 + 135 = 1,284; Discipline + Optimization +30; +100 → 1,414
    assert by_name(rows, "The Explorer")["power"] == 1414


async def test_activating_one_deactivates_the_others(client: httpx.AsyncClient) -> None:
    await start(client)
    rows = await loadouts(client)
    warrior = by_name(rows, "The Warrior")
    activated = await activate(client, warrior["id"])
    assert activated["active"] is True
    rows = await loadouts(client)
    assert [r["name"] for r in rows if r["active"]] == ["The Warrior"]
    assert (await state(client))["active_loadout"] == {"id": warrior["id"], "name": "The Warrior"}
    # activating it again keeps exactly one active
    await activate(client, warrior["id"])
    assert [r["name"] for r in await loadouts(client) if r["active"]] == ["The Warrior"]


STRONG_HEALTH = {
    "life_phase": "SPRING", "months_saved": "3", "health": "strong", "income_sources": 2,
    "purpose": "strong", "options": 4, "stress": "high", "experience": "some",
}  # fmt: skip


@pytest.mark.parametrize("opened_first", [False, True], ids=["straight", "loadouts-page-first"])
@pytest.mark.parametrize(
    ("answers", "overall", "categories"),
    [
        # a new player, capacity 50 (XP ×1.00), SPRING ×1.2, The Balanced ×1.12:
        # 500 → 600 → 600 → 672; 100 → 120 → 134.4 → 134; 300 → 360 → 403.2 → 403;
        # 50 → 60 → 67.2 → 67
        (None, 672, cats(134, 403, 67, 0, 0)),
        # the player: health strong → capacity 75 (band high, ×1.10), SPRING ×1.2:
        # 500 → 600 → 660 → 739.2 → 739 (the +660 it got before opening the page had no
        # loadout); 100 → 120 → 132 → 147.84 → 148; 300 → 360 → 396 → 443.52 → 444;
        # 50 → 60 → 66 → 73.92 → 74
        (STRONG_HEALTH, 739, cats(148, 444, 74, 0, 0)),
    ],
    ids=["new-player", "capacity-75"],
)
async def test_a_first_work_yields_the_same_whether_the_loadouts_page_was_opened_or_not(
    client: httpx.AsyncClient,
    opened_first: bool,
    answers: dict[str, Any] | None,
    overall: int,
    categories: dict[str, int],
) -> None:
    """§13 and issue 22 item 7: the presets are born with the player, The Balanced active from
    the first activity on, so reading the Loadouts page (HTML or API) first changes nothing:
    the first WORK_PROJECT costs round(30 × (1 − 0.10)) = 27 and gives the same XP."""
    await start(client)
    if answers is not None:
        assert (await client.post("/api/v1/me/questionnaire", json=answers)).status_code == 200
    if opened_first:
        assert (await client.get("/loadouts")).status_code == 200
        await loadouts(client)
    body = await log(client, "WORK_PROJECT")
    assert body["activity"]["energy_used"] == 27
    assert body["state"]["energy"]["stored"] == 73
    assert body["activity"]["xp_gained"] == {"overall": overall, "categories": categories}
    assert body["activity"]["multipliers"]["loadout"] == 1.12


async def test_the_strategist_rounds_the_cost_half_away(client: httpx.AsyncClient) -> None:
    await start(client)
    strategist = by_name(await loadouts(client), "The Strategist")
    await activate(client, strategist["id"])
    preview = (
        await client.post("/api/v1/me/activities/preview", json={"type": "WORK_PROJECT"})
    ).json()
    body = await log(client, "WORK_PROJECT")
    # cost round(30 × (1 − 0.15)) = round(25.5) = 26 (half away from zero)
    assert preview["activity"]["energy_used"] == body["activity"]["energy_used"] == 26
    assert body["state"]["energy"]["stored"] == 74
    # 600 × 1.15 = 690; 120 × 1.15 = 138; 360 × 1.15 = 414; 60 × 1.15 = 69
    assert body["activity"]["xp_gained"] == {"overall": 690, "categories": cats(138, 414, 69, 0, 0)}
    # EXERCISE: round(25 × 0.85 = 21.25) = 21
    assert (await log(client, "EXERCISE"))["activity"]["energy_used"] == 21


async def test_the_warrior_only_adds_xp(client: httpx.AsyncClient) -> None:
    await start(client)
    await activate(client, by_name(await loadouts(client), "The Warrior")["id"])
    body = await log(client, "LEARNING")
    assert body["activity"]["energy_used"] == 20  # no energyCostReduction
    # 400 × 1.2 = 480 × 1.58 = 758.4 → 758; 150 → 180 → 284.4 → 284;
    # 100 → 120 → 189.6 → 190; 200 → 240 → 379.2 → 379
    assert body["activity"]["xp_gained"] == {
        "overall": 758,
        "categories": cats(284, 190, 0, 0, 379),
    }
    # the other benefits are shown, not applied: the clouds have not moved
    assert body["state"]["clouds"] == dict.fromkeys(
        ("capacity", "engines", "oxygen", "meaning", "optionality"), 50
    )
    assert body["state"]["resources"]["armor"] == 0


async def test_presets_are_locked(client: httpx.AsyncClient) -> None:
    await start(client)
    balanced = by_name(await loadouts(client), "The Balanced")
    patch = await client.patch(f"/api/v1/me/loadouts/{balanced['id']}", json={"name": "Mine"})
    assert error(patch, 409)["code"] == "preset_locked"
    slots = await client.patch(
        f"/api/v1/me/loadouts/{balanced['id']}", json={"slots": {"PRIMARY": "focus"}}
    )
    assert error(slots, 409)["code"] == "preset_locked"
    delete = await client.delete(f"/api/v1/me/loadouts/{balanced['id']}")
    assert error(delete, 409)["code"] == "preset_locked"
    after = by_name(await loadouts(client), "The Balanced")
    assert after == balanced


async def test_custom_loadout_crud(client: httpx.AsyncClient) -> None:
    await start(client)
    response = await client.post(
        "/api/v1/me/loadouts",
        json={"name": "Brave", "slots": {"PRIMARY": "resilience", "SECONDARY": "courage"}},
    )
    assert response.status_code == 201, response.text
    brave = response.json()
    assert brave["preset"] is False
    assert brave["active"] is False
    # 1.2 × 300 + 1.1 × 250 = 360 + 275 = 635; Resilience + Courage +50; not all six → 685
    assert brave["power"] == 685
    # capacity 15, energyCostReduction .10, optionality 15, xpGain .05
    assert benefits(brave) == {
        "capacity": 15,
        "energy_cost_reduction": dec("0.10"),
        "optionality": 15,
        "xp_gain": dec("0.05"),
    }
    assert brave["slots"]["GRENADE"] is None
    rows = await loadouts(client)
    assert [r["name"] for r in rows] == [*PRESETS, "Brave"]  # presets were created too

    # Changing a slot: Courage → Persistence (260 × 1.1 = 286), no synergy: 360 + 286 = 646
    response = await client.patch(
        f"/api/v1/me/loadouts/{brave['id']}",
        json={"name": "Steady", "slots": {"SECONDARY": "persistence"}},
    )
    assert response.status_code == 200, response.text
    steady = response.json()
    assert steady["name"] == "Steady"
    assert steady["slots"]["PRIMARY"]["id"] == "resilience"  # kept
    assert steady["power"] == 646
    # emptying a slot: Resilience alone, 360
    response = await client.patch(
        f"/api/v1/me/loadouts/{brave['id']}", json={"slots": {"SECONDARY": None}}
    )
    assert response.json()["power"] == 360

    # an active custom loadout applies: Resilience's reduction .10 → WORK_PROJECT costs 27
    await activate(client, brave["id"])
    assert (await log(client, "WORK_PROJECT"))["activity"]["energy_used"] == 27

    assert (await client.delete(f"/api/v1/me/loadouts/{brave['id']}")).status_code == 204
    assert [r["name"] for r in await loadouts(client)] == PRESETS
    assert (await state(client))["active_loadout"] is None
    missing = await client.delete(f"/api/v1/me/loadouts/{brave['id']}")
    assert error(missing, 404)["code"] == "not_found"
    # with no active loadout the full cost applies again
    assert (await log(client, "WORK_PROJECT"))["activity"]["energy_used"] == 30


@pytest.mark.parametrize(
    ("slots", "field"),
    [
        ({"PRIMARY": "courage"}, "slots.PRIMARY"),  # a SECONDARY item
        ({"GRENADE": "excalibur"}, "slots.GRENADE"),  # no such item
        ({"HAT": "focus"}, "slots.HAT"),  # no such slot
    ],
)
async def test_custom_loadout_with_a_wrong_item_is_422(
    client: httpx.AsyncClient, slots: dict[str, str], field: str
) -> None:
    await start(client)
    presets = await loadouts(client)
    response = await client.post("/api/v1/me/loadouts", json={"name": "Odd", "slots": slots})
    err = error(response, 422)
    assert err["code"] == "invalid_field"
    assert field in err["details"][0]["field"]
    assert await loadouts(client) == presets
    # the same on a change of an existing custom loadout
    made = await client.post("/api/v1/me/loadouts", json={"name": "Fine", "slots": {}})
    assert made.json()["power"] == 0
    assert made.json()["benefits"] == {}
    patch = await client.patch(f"/api/v1/me/loadouts/{made.json()['id']}", json={"slots": slots})
    assert error(patch, 422)["code"] == "invalid_field"


async def test_bad_loadout_bodies_and_ids(client: httpx.AsyncClient) -> None:
    await start(client)
    assert error(await client.post("/api/v1/me/loadouts", json={"name": ""}), 422)
    assert error(await client.post("/api/v1/me/loadouts", json={"name": "x", "power": 9}), 422)
    for path in ("99999999999999999999", "0"):
        err = error(await client.post(f"/api/v1/me/loadouts/{path}/activate"), 422)
        assert err["code"] == "invalid_field"
        assert error(await client.delete(f"/api/v1/me/loadouts/{path}"), 422)
    assert error(await client.post("/api/v1/me/loadouts/123456789/activate"), 404)


async def test_item_catalogue(client: httpx.AsyncClient) -> None:
    await start(client)
    items = (await client.get("/api/v1/loadout-items")).json()
    assert len(items) == 23  # 5 + 5 + 3 + 4 + 3 + 3
    grenades = (await client.get("/api/v1/loadout-items", params={"slot": "GRENADE"})).json()
    assert [(i["name"], i["power"]) for i in grenades] == [
        ("Energy Boost", 150),
        ("Quick Recovery", 140),
        ("Momentum Shift", 160),
    ]
    assert error(await client.get("/api/v1/loadout-items", params={"slot": "HAT"}), 422)
