"""Logging activities, previews and the history (GAME_RULES.md §3, §3.1, §4, §8)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.integration.game.helpers import (
    NewClient,
    activities,
    add_member,
    admin_set,
    at,
    cats,
    day,
    dec,
    error,
    log,
    start,
    state,
    without_loadout_bonuses,
)

# §3 for a new player: capacity 50 (XP efficiency 1.00), SPRING (× 1.2), not in burnout, born
# with The Balanced active (§13: xpGain .12 from Synergy → × 1.12; energyCostReduction .10 from
# Resilience → cost round(base × 0.9)). XP is base × 1.2 × 1.00 × 1.12 × 1, rounded after each step.
SPRING_MEDIUM = [
    # type, energy, overall, categories, recovery
    # WORK_PROJECT 30 × 0.9 = 27; 500 × 1.2 = 600 × 1.12 = 672; 100 → 120 → 134.4 → 134,
    # 300 → 360 → 403.2 → 403, 50 → 60 → 67.2 → 67.
    ("WORK_PROJECT", 27, 672, cats(134, 403, 67, 0, 0), False),
    # EXERCISE 25 × 0.9 = 22.5 → 23; 200 → 240 → 268.8 → 269; 250 → 300 → 336, 50 → 60 → 67.
    ("EXERCISE", 23, 269, cats(336, 0, 0, 0, 67), True),
    # SAVE_EXPENSES 15 × 0.9 = 13.5 → 14; 1000 → 1200 → 1344; 200 → 240 → 269,
    # 500 → 600 → 672, 300 → 360 → 403.
    ("SAVE_EXPENSES", 14, 1344, cats(0, 269, 672, 0, 403), True),
    # LEARNING 20 × 0.9 = 18; 400 → 480 → 537.6 → 538; 150 → 180 → 201.6 → 202,
    # 100 → 120 → 134, 200 → 240 → 269.
    ("LEARNING", 18, 538, cats(202, 134, 0, 0, 269), True),
    # REST is free and always 0 XP.
    ("REST", 0, 0, cats(), True),
    # CUSTOM without custom_xp: 0 XP, 20 × 0.9 = 18 energy.
    ("CUSTOM", 18, 0, cats(), False),
]


@pytest.mark.parametrize(("kind", "energy", "overall", "categories", "recovery"), SPRING_MEDIUM)
async def test_each_activity_at_capacity_50_in_spring(
    client: httpx.AsyncClient,
    kind: str,
    energy: int,
    overall: int,
    categories: dict[str, int],
    recovery: bool,
) -> None:
    await start(client)
    body = await log(client, kind, description=f"a {kind.lower()}")
    activity = body["activity"]
    assert activity["type"] == kind
    assert activity["description"] == f"a {kind.lower()}"
    assert activity["energy_used"] == energy
    assert activity["xp_gained"] == {"overall": overall, "categories": categories}
    assert activity["season"] == "SPRING"
    assert activity["day"] == day(0)
    multipliers = {"season": 1.2, "capacity": 1.0, "loadout": 1.12, "burnout": 1}
    assert activity["multipliers"] == multipliers
    assert isinstance(activity["id"], int)
    assert body["is_recovery"] is recovery
    assert activity["is_recovery"] is recovery
    assert body["milestones"] == []
    # energy left = 100 stored − cost; usable = min(stored, cap 85)
    assert body["energy_left"] == 100 - energy
    assert body["state"]["energy"]["stored"] == 100 - energy
    assert body["state"]["energy"]["usable"] == min(100 - energy, 85)
    assert body["state"]["xp"]["overall"] == overall
    assert body["state"]["xp"]["categories"] == categories
    # and it is stored: the next read says the same
    after = await state(client)
    assert after["xp"]["overall"] == overall
    assert after["energy"]["stored"] == 100 - energy
    [stored] = await activities(client)
    assert stored == activity


@pytest.mark.parametrize(
    ("capacity", "season", "kind", "energy", "cap", "overall", "categories", "multipliers"),
    [
        # optimal band (1.15) in WINTER (1.1): 500 × 1.1 = 550, × 1.15 = 632.5 → 633;
        # 100 → 110 → 126.5 → 127; 300 → 330 → 379.5 → 380; 50 → 55 → 63.25 → 63.
        # capacity 90 ≥ 80 → cap 110.
        (90, "WINTER", "WORK_PROJECT", 30, 110, 633, cats(127, 380, 63, 0, 0), (1.1, 1.15)),
        # low band (0.80) in SUMMER (1.3): 400 × 1.3 = 520 × 0.8 = 416; 150 → 195 → 156;
        # 100 → 130 → 104; 200 → 260 → 208. capacity 30: not < 30, < 60 → cap 85.
        (30, "SUMMER", "LEARNING", 20, 85, 416, cats(156, 104, 0, 0, 208), (1.3, 0.8)),
        # critical band (0.60) in AUTUMN (1.2): 200 × 1.2 = 240 × 0.6 = 144; 250 → 300 → 180;
        # 50 → 60 → 36. capacity 15 < 30 → cap 70.
        (15, "AUTUMN", "EXERCISE", 25, 70, 144, cats(180, 0, 0, 0, 36), (1.2, 0.6)),
        # high band (1.10) in SPRING: 1000 × 1.2 = 1200 × 1.1 = 1320; 200 → 240 → 264;
        # 500 → 600 → 660; 300 → 360 → 396. capacity 75 < 80 → cap 100.
        (75, "SPRING", "SAVE_EXPENSES", 15, 100, 1320, cats(0, 264, 660, 0, 396), (1.2, 1.1)),
    ],
)
async def test_capacity_bands_and_seasons(
    client: httpx.AsyncClient,
    capacity: int,
    season: str,
    kind: str,
    energy: int,
    cap: int,
    overall: int,
    categories: dict[str, int],
    multipliers: tuple[float, float],
) -> None:
    player = await start(client)
    await without_loadout_bonuses(client)
    body: dict[str, Any] = {"clouds": {"capacity": capacity}}
    if season != "SPRING":
        body["season"] = season
    await admin_set(player, player.user_id, body)
    result = await log(client, kind)
    activity = result["activity"]
    assert activity["season"] == season
    assert activity["multipliers"]["season"] == multipliers[0]
    assert activity["multipliers"]["capacity"] == multipliers[1]
    assert activity["xp_gained"] == {"overall": overall, "categories": categories}
    assert activity["energy_used"] == energy
    assert result["state"]["energy"]["cap"] == cap
    assert result["state"]["energy"]["stored"] == 100 - energy
    assert result["state"]["energy"]["usable"] == min(100 - energy, cap)


async def test_custom_activity_xp_and_resource_changes_scaled_by_reward_efficiency(
    client: httpx.AsyncClient,
) -> None:
    player = await start(client)
    await without_loadout_bonuses(client)
    # capacity 80: high band, XP efficiency 1.10, reward efficiency 1.05, cap 110.
    await admin_set(player, player.user_id, {"clouds": {"capacity": 80}})
    body = await log(
        client,
        "CUSTOM",
        description="sold the old bike",
        custom_xp={"overall": 1000, "categories": {"capacity": 100, "meaning": 333}},
        resource_changes={"oxygen": 2, "water": 60, "gold": 100, "armor": 30, "keys": 10},
    )
    activity = body["activity"]
    # XP: 1000 × 1.2 = 1200 × 1.1 = 1320; 100 → 120 → 132; 333 → 399.6 → 400 → 440.
    assert activity["xp_gained"] == {"overall": 1320, "categories": cats(132, 0, 0, 440, 0)}
    assert activity["energy_used"] == 20
    # Resources × 1.05: oxygen +2.1 (added), water set to 63, gold +105 (added),
    # armor set to 31.5 → 32 (rounded half away), keys 10.5 → 11 (rounded half away, added).
    assert {k: dec(v) for k, v in activity["resource_changes"].items()} == {
        "oxygen": dec("2.1"),
        "water": dec(63),
        "gold": dec(105),
        "armor": dec(32),
        "keys": dec(11),
    }
    # gold 105 > 0 → FIRST_ASSET, +1 key: keys 0 + 11 + 1 = 12.
    assert body["milestones"] == [{"type": "FIRST_ASSET", "keys": 1}]
    assert body["keys_gained"] == 1
    resources = body["state"]["resources"]
    assert {k: dec(v) for k, v in resources.items()} == {
        "oxygen": dec("2.1"),
        "water": dec(63),
        "gold": dec(105),
        "armor": 32,
        "keys": 12,
    }
    assert body["state"]["energy"]["stored"] == 80  # 100 − 20
    assert body["is_recovery"] is False

    # A second CUSTOM adds to oxygen and gold and sets water and armor again, clamped 0–100:
    # oxygen 2.1 + (−1 × 1.05) = 1.05; water 100 × 1.05 = 105 → 100; gold 105 + 1.05;
    # armor 0 × 1.05 = 0; keys 12 + round(−2 × 1.05 = −2.1) = 12 − 2 = 10.
    body = await log(
        client,
        "CUSTOM",
        resource_changes={"oxygen": -1, "water": 100, "gold": 1, "armor": 0, "keys": -2},
    )
    resources = body["state"]["resources"]
    assert dec(resources["oxygen"]) == dec("1.05")
    assert dec(resources["water"]) == 100
    assert dec(resources["gold"]) == dec("106.05")
    assert resources["armor"] == 0
    assert resources["keys"] == 10
    assert body["milestones"] == []  # FIRST_ASSET only once


async def test_resource_changes_never_go_below_zero(client: httpx.AsyncClient) -> None:
    await start(client)
    # gold 0 − 50 → 0 (never below 0), oxygen 0 − 3 → 0, keys 0 − 4 → 0; nothing reached.
    body = await log(client, "CUSTOM", resource_changes={"gold": -50, "oxygen": -3, "keys": -4})
    resources = body["state"]["resources"]
    assert (dec(resources["gold"]), dec(resources["oxygen"]), resources["keys"]) == (
        dec(0),
        dec(0),
        0,
    )
    assert body["milestones"] == []


async def test_milestones_are_reached_once(client: httpx.AsyncClient) -> None:
    await start(client)
    # capacity 50 → reward efficiency 1.00: gold +10 → 10 > 0 → FIRST_ASSET, +1 key.
    first = await log(client, "CUSTOM", resource_changes={"gold": 10})
    assert first["milestones"] == [{"type": "FIRST_ASSET", "keys": 1}]
    assert first["state"]["resources"]["keys"] == 1
    second = await log(client, "CUSTOM", resource_changes={"gold": 10})
    assert second["milestones"] == []
    assert second["state"]["resources"]["keys"] == 1
    assert dec(second["state"]["resources"]["gold"]) == 20
    # oxygen +12 → 12: SIX_MONTHS_EXPENSES (≥ 6, +1) and ONE_YEAR_EXPENSES (≥ 12, +2) at once.
    third = await log(client, "CUSTOM", resource_changes={"oxygen": 12})
    assert third["milestones"] == [
        {"type": "SIX_MONTHS_EXPENSES", "keys": 1},
        {"type": "ONE_YEAR_EXPENSES", "keys": 2},
    ]
    assert third["state"]["resources"]["keys"] == 4  # 1 + 1 + 2
    fourth = await log(client, "CUSTOM", resource_changes={"oxygen": 1})
    assert fourth["milestones"] == []
    assert fourth["state"]["resources"]["keys"] == 4

    milestones = (await client.get("/api/v1/me/milestones")).json()
    assert sorted((m["type"], m["keys"]) for m in milestones) == [
        ("FIRST_ASSET", 1),
        ("ONE_YEAR_EXPENSES", 2),
        ("SIX_MONTHS_EXPENSES", 1),
    ]


async def test_insufficient_energy_is_refused_with_the_numbers(client: httpx.AsyncClient) -> None:
    await start(client)
    await without_loadout_bonuses(client)
    for _ in range(3):
        await log(client, "WORK_PROJECT")  # 100 → 70 → 40 → 10 (each time usable ≥ 30)
    before = await state(client)
    assert before["energy"]["usable"] == 10
    response = await client.post("/api/v1/me/activities", json={"type": "EXERCISE"})
    err = error(response, 409)
    assert err["code"] == "insufficient_energy"
    assert err["details"] == {"needed": 25, "usable": 10}
    # nothing written
    assert len(await activities(client)) == 3
    after = await state(client)
    assert after["version"] == before["version"]
    assert after["energy"] == before["energy"]
    assert after["xp"] == before["xp"]
    # the preview refuses the same way
    preview = await client.post("/api/v1/me/activities/preview", json={"type": "EXERCISE"})
    assert error(preview, 409)["details"] == {"needed": 25, "usable": 10}
    # every type costs more than 10 (the cheapest, SAVE_EXPENSES, costs 15)
    save = await client.post("/api/v1/me/activities", json={"type": "SAVE_EXPENSES"})
    assert error(save, 409)["details"] == {"needed": 15, "usable": 10}


async def test_burnout_blocks_work_after_three_low_capacity_days(
    client: httpx.AsyncClient,
) -> None:
    player = await start(client)
    await without_loadout_bonuses(client)
    await admin_set(player, player.user_id, {"clouds": {"capacity": 15}})
    # §6 step 6: capacity 15 < 20 at the boundaries of days 1 and 2 → counter 1, 2: not yet.
    at(days=2)
    assert (await state(client))["burnout"]["active"] is False
    # At the start of day 3 the counter reaches 3: burnout since day 3.
    at(days=3)
    body = await state(client)
    assert body["burnout"] == {"active": True, "since": day(3), "risk": "high"}
    assert body["energy"]["cap"] == 40  # in burnout the cap is 40
    assert body["energy"]["stored"] == 100  # step 7
    assert body["energy"]["usable"] == 40

    versions = body["version"]
    response = await client.post("/api/v1/me/activities", json={"type": "WORK_PROJECT"})
    err = error(response, 409)
    assert err["code"] == "burnout_blocks_work"
    assert "EXERCISE" in err["message"]
    assert await activities(client) == []
    assert (await state(client))["version"] == versions

    # A recovery action still works, with the burnout factor 0.3:
    # 200 × 1.2 = 240 × 0.6 (critical band) = 144 × 1 × 0.3 = 43.2 → 43;
    # 250 → 300 → 180 → 54; 50 → 60 → 36 → 10.8 → 11.
    exercise = await log(client, "EXERCISE")
    assert exercise["activity"]["xp_gained"] == {"overall": 43, "categories": cats(54, 0, 0, 0, 11)}
    assert exercise["activity"]["multipliers"]["burnout"] == 0.3
    assert exercise["is_recovery"] is True


async def test_preview_returns_what_the_real_call_records(client: httpx.AsyncClient) -> None:
    player = await start(client)
    await without_loadout_bonuses(client)
    await admin_set(player, player.user_id, {"clouds": {"capacity": 72}, "resources": {"gold": 5}})
    request = {
        "type": "CUSTOM",
        "description": "side project",
        "custom_xp": {"overall": 777, "categories": {"engines": 555, "optionality": 1}},
        "resource_changes": {"gold": 3, "oxygen": 6, "armor": 9, "keys": 1},
    }
    before = await state(client)
    preview = await client.post("/api/v1/me/activities/preview", json=request)
    assert preview.status_code == 200, preview.text
    predicted = preview.json()
    # the preview wrote nothing
    assert await activities(client) == []
    unchanged = await state(client)
    assert unchanged["version"] == before["version"]
    assert unchanged["resources"] == before["resources"]
    assert unchanged["xp"] == before["xp"]
    assert predicted["activity"]["id"] is None

    real = await client.post("/api/v1/me/activities", json=request)
    assert real.status_code == 201, real.text
    recorded = real.json()
    # Every number of the preview is what the real call recorded.
    for key in ("milestones", "keys_gained", "is_recovery", "energy_left"):
        assert predicted[key] == recorded[key], key
    assert {k: v for k, v in predicted["activity"].items() if k != "id"} == {
        k: v for k, v in recorded["activity"].items() if k != "id"
    }
    for part in ("clouds", "resources", "energy", "xp", "rank", "burnout", "balance", "season"):
        assert predicted["state"][part] == recorded["state"][part], part
    # and by hand (capacity 72: high band, XP 1.10, reward 1.05):
    # 777 × 1.2 = 932.4 → 932 × 1.1 = 1025.2 → 1025; 555 → 666 → 732.6 → 733; 1 → 1.2 → 1 → 1.1 → 1.
    assert recorded["activity"]["xp_gained"] == {
        "overall": 1025,
        "categories": cats(0, 733, 0, 0, 1),
    }
    # oxygen 6 × 1.05 = 6.3 ≥ 6 → SIX_MONTHS_EXPENSES (+1); gold 5 + 3.15 = 8.15 (FIRST_ASSET
    # is checked after the activity: gold > 0 → +1); keys round(1.05) = 1 + 2 = 3; armor 9.45 → 9.
    assert recorded["milestones"] == [
        {"type": "SIX_MONTHS_EXPENSES", "keys": 1},
        {"type": "FIRST_ASSET", "keys": 1},
    ]
    resources = recorded["state"]["resources"]
    assert dec(resources["oxygen"]) == dec("6.3")
    assert dec(resources["gold"]) == dec("8.15")
    assert resources["armor"] == 9
    assert resources["keys"] == 3
    [stored] = await activities(client)
    assert stored == recorded["activity"]


async def test_history_is_newest_first_with_cursor_pagination(client: httpx.AsyncClient) -> None:
    await start(client)
    kinds = ["LEARNING", "REST", "EXERCISE", "SAVE_EXPENSES", "REST"]  # 18+0+23+14+0 = 55
    logged = []
    for minute, kind in enumerate(kinds):
        at(minutes=minute + 1)
        logged.append((await log(client, kind))["activity"])
    newest_first = list(reversed(logged))

    page = (await client.get("/api/v1/me/activities", params={"limit": 2})).json()
    assert page["items"] == newest_first[:2]
    assert page["next"] == str(newest_first[1]["id"])
    page = (
        await client.get("/api/v1/me/activities", params={"limit": 2, "before": page["next"]})
    ).json()
    assert page["items"] == newest_first[2:4]
    page = (
        await client.get("/api/v1/me/activities", params={"limit": 2, "before": page["next"]})
    ).json()
    assert page["items"] == newest_first[4:]
    assert page["next"] is None

    # the default page holds all five, with no next page
    everything = (await client.get("/api/v1/me/activities")).json()
    assert everything == {"items": newest_first, "next": None}

    # before a timestamp: strictly older than the third activity's time
    third = logged[2]["occurred_at"]
    older = (await client.get("/api/v1/me/activities", params={"before": third})).json()
    assert [a["id"] for a in older["items"]] == [logged[1]["id"], logged[0]["id"]]
    zulu = await client.get("/api/v1/me/activities", params={"before": "2026-03-02T12:02:30Z"})
    assert [a["type"] for a in zulu.json()["items"]] == ["REST", "LEARNING"]


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 201},
        {"limit": 0},
        {"limit": "ten"},
        {"before": "yesterday"},
        {"before": "2026-03-02T12:00:00"},  # no offset
        {"before": "99999999999999999999"},  # past bigint: no such id, never a 500
        {"before": "٣"},  # a digit, but not an ASCII one
    ],
)
async def test_history_refuses_bad_parameters(
    client: httpx.AsyncClient, params: dict[str, Any]
) -> None:
    await start(client)
    err = error(await client.get("/api/v1/me/activities", params=params), 422)
    assert err["code"] == "invalid_field"
    assert [d["field"] for d in err["details"]] == list(params)


async def test_history_limit_200_is_allowed(client: httpx.AsyncClient) -> None:
    await start(client)
    await log(client, "REST")
    page = (await client.get("/api/v1/me/activities", params={"limit": 200})).json()
    assert len(page["items"]) == 1


BAD_ACTIVITIES: list[tuple[str, dict[str, Any], str]] = [
    ("unknown type", {"type": "NAP"}, "type"),
    (
        "custom XP above 5,000",
        {"type": "CUSTOM", "custom_xp": {"overall": 5001}},
        "custom_xp.overall",
    ),
    (
        "category XP above 5,000",
        {"type": "CUSTOM", "custom_xp": {"overall": 10, "categories": {"meaning": 5001}}},
        "custom_xp.categories.meaning",
    ),
    (
        "negative custom XP",
        {"type": "CUSTOM", "custom_xp": {"overall": -1}},
        "custom_xp.overall",
    ),
    (
        "custom_xp on another type",
        {"type": "WORK_PROJECT", "custom_xp": {"overall": 10}},
        "body",
    ),
    ("unknown field", {"type": "REST", "xp": 1000}, "xp"),
    ("unknown category", {"type": "CUSTOM", "custom_xp": {"categories": {"luck": 1}}}, ""),
    ("water above 100", {"type": "CUSTOM", "resource_changes": {"water": 101}}, ""),
    ("armor below 0", {"type": "CUSTOM", "resource_changes": {"armor": -1}}, ""),
    ("description too long", {"type": "REST", "description": "x" * 501}, "description"),
]


@pytest.mark.parametrize(
    ("label", "body", "field"), BAD_ACTIVITIES, ids=[b[0] for b in BAD_ACTIVITIES]
)
async def test_bad_activities_are_422_and_write_nothing(
    client: httpx.AsyncClient, label: str, body: dict[str, Any], field: str
) -> None:
    await start(client)
    before = await state(client)
    for path in ("/api/v1/me/activities", "/api/v1/me/activities/preview"):
        err = error(await client.post(path, json=body), 422)
        assert err["code"] == "invalid_field"
        assert err["details"], label
        if field:
            assert field in [d["field"] for d in err["details"]], err
    assert await activities(client) == []
    assert (await state(client))["version"] == before["version"]


async def test_malformed_json_is_400(client: httpx.AsyncClient) -> None:
    await start(client)
    response = await client.post(
        "/api/v1/me/activities",
        content=b'{"type": "REST",',
        headers={"content-type": "application/json"},
    )
    assert error(response, 400)["code"] == "malformed_json"
    assert await activities(client) == []


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/v1/me/activities/preview"),
        ("POST", "/api/v1/me/questionnaire"),
        ("POST", "/api/v1/me/season"),
        ("POST", "/api/v1/me/engines"),
        ("POST", "/api/v1/me/sleep"),
        ("POST", "/api/v1/me/boosts"),
        ("POST", "/api/v1/me/loadouts"),
        ("POST", "/api/v1/me/investments"),
        ("PUT", "/api/v1/me/rebalancing"),
        ("POST", "/api/v1/me/training/tasks/emergency-fund-1/complete"),
        ("PUT", "/api/v1/admin/players/1"),
        ("PUT", "/api/v1/testing/clock"),
    ],
)
async def test_malformed_json_is_400_everywhere(
    client: httpx.AsyncClient, method: str, path: str
) -> None:
    await start(client)
    before = await state(client)
    response = await client.request(
        method, path, content=b"{'single': 'quotes'}", headers={"content-type": "application/json"}
    )
    assert error(response, 400)["code"] == "malformed_json"
    assert (await state(client))["version"] == before["version"]


async def test_custom_xp_of_exactly_5000_is_allowed(client: httpx.AsyncClient) -> None:
    await start(client)
    body = await log(
        client, "CUSTOM", custom_xp={"overall": 5000, "categories": {"optionality": 5000}}
    )
    # 5000 × 1.2 × 1.00 = 6000 × 1.12 (The Balanced) = 6720
    assert body["activity"]["xp_gained"] == {"overall": 6720, "categories": cats(0, 0, 0, 0, 6720)}
    # 6,720 XP: CORPORAL (5,000), level floor(6720 / 5000) + 1 = 2; optionality level 7.
    assert body["state"]["rank"]["name"] == "CORPORAL"
    assert body["state"]["rank"]["level"] == 2
    assert body["state"]["xp"]["category_levels"]["optionality"] == 7


def _same_for_anyone(answer: dict[str, Any]) -> dict[str, Any]:
    """An answer without what differs between two players (who they are, the row's id)."""
    answer = json.loads(json.dumps(answer))
    answer["activity"].pop("id")
    answer["state"].pop("user")
    answer["state"]["active_loadout"].pop("id")  # each player's own Balanced
    return answer


@pytest.mark.parametrize("body", [{"type": "LEARNING"}, {"type": "CUSTOM", "custom_xp": {
    "overall": 40, "categories": {"meaning": 40}}, "description": "choir",
    "resource_changes": {"gold": "12.50", "keys": 1}}])  # fmt: skip
async def test_a_log_answers_the_same_through_fastapi_and_the_fast_route(
    client: httpx.AsyncClient, new_client: NewClient, body: dict[str, Any]
) -> None:
    """A plain JSON request is served by the fast route (routes.py), any other through FastAPI:
    twin players, one each way, get the same answer and the same stored activity."""
    ada = await start(client)
    bob = await add_member(ada, new_client)
    fast = await ada.client.post("/api/v1/me/activities", json=body)
    content = json.dumps(body).encode()
    headers = {"Content-Type": "application/json; charset=utf-8"}  # not plain: FastAPI
    slow = await bob.client.post("/api/v1/me/activities", content=content, headers=headers)
    assert (fast.status_code, slow.status_code) == (201, 201)
    assert _same_for_anyone(fast.json()) == _same_for_anyone(slow.json())
    stored_fast, stored_slow = (await activities(ada.client))[0], (await activities(bob.client))[0]
    assert stored_fast["id"] == fast.json()["activity"]["id"]
    assert {**stored_fast, "id": 0} == {**stored_slow, "id": 0}
