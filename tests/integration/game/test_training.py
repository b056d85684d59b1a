"""The training center: unlocks, order, XP, rewards, the LEARNING record (GAME_RULES.md §12)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.integration.game.helpers import (
    activities,
    admin_set,
    at,
    cats,
    dec,
    error,
    log,
    start,
    state,
)

MODULE_RULES = {
    # module: (required rank, required completed tasks, number of tasks) — §12
    "Build Emergency Fund": ("RECRUIT", 0, 5),
    "Increase Income": ("RECRUIT", 2, 4),
    "Reduce Expenses": ("RECRUIT", 1, 3),
    "Automate Savings": ("RECRUIT", 2, 2),
    "Multiple Income Streams": ("PRIVATE", 5, 3),
    "Track Expenses": ("RECRUIT", 1, 3),
    "Avoid Lifestyle Inflation": ("PRIVATE", 8, 3),
}


async def overview(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/api/v1/me/training")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def module(body: dict[str, Any], title: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [m for m in body["modules"] if m["title"] == title]
    [only] = found
    return only


def unlocked(body: dict[str, Any]) -> set[str]:
    return {m["title"] for m in body["modules"] if m["unlocked"]}


async def complete(client: httpx.AsyncClient, task_id: str, **body: Any) -> httpx.Response:
    return await client.post(f"/api/v1/me/training/tasks/{task_id}/complete", json=body or None)


async def completed(client: httpx.AsyncClient, task_id: str) -> dict[str, Any]:
    response = await complete(client, task_id)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def test_catalogue_matches_the_rule_book(client: httpx.AsyncClient) -> None:
    await start(client)
    body = await overview(client)
    assert body["completed_tasks"] == 0
    assert body["total_tasks"] == 23
    assert [m["title"] for m in body["modules"]] == list(MODULE_RULES)
    for m in body["modules"]:
        rank, needed, count = MODULE_RULES[m["title"]]
        assert (m["required_rank"], m["required_tasks"], len(m["tasks"])) == (rank, needed, count)
        assert [t["order"] for t in m["tasks"]] == list(range(1, count + 1))
        assert all(t["energy_cost"] == 20 for t in m["tasks"])
        assert all(t["title"] and t["description"] for t in m["tasks"])
    emergency = module(body, "Build Emergency Fund")
    assert emergency["main_category"] == "oxygen"
    rewards = [{k: dec(v) for k, v in t["reward"].items()} for t in emergency["tasks"]]
    # tasks 3/4/5 give oxygen +1/+2/+3, task 5 a key
    assert rewards[2:] == [{"oxygen": 1}, {"oxygen": 2}, {"oxygen": 3, "keys": 1}]
    # A new player (RECRUIT, 0 tasks): only the emergency fund is open, its first task available.
    assert unlocked(body) == {"Build Emergency Fund"}
    assert [t["status"] for t in emergency["tasks"]] == ["available"] + ["locked"] * 4


async def test_modules_unlock_by_rank_and_completed_tasks(client: httpx.AsyncClient) -> None:
    player = await start(client)
    ids = [t["id"] for t in module(await overview(client), "Build Emergency Fund")["tasks"]]
    await completed(client, ids[0])
    # 1 task done: Reduce Expenses and Track Expenses (RECRUIT, 1) open
    body = await overview(client)
    assert body["completed_tasks"] == 1
    assert unlocked(body) == {"Build Emergency Fund", "Reduce Expenses", "Track Expenses"}
    assert module(body, "Build Emergency Fund")["completed_tasks"] == 1
    # A task of another module counts too ("completed tasks across all modules"):
    reduce_first = module(body, "Reduce Expenses")["tasks"][0]["id"]
    await completed(client, reduce_first)
    body = await overview(client)
    # 2 done: Increase Income and Automate Savings (RECRUIT, 2) open
    assert unlocked(body) == {
        "Build Emergency Fund",
        "Reduce Expenses",
        "Track Expenses",
        "Increase Income",
        "Automate Savings",
    }
    for task_id in ids[1:4]:
        await completed(client, task_id)
    # 5 done, but rank RECRUIT (XP far below 1,000): Multiple Income Streams stays locked
    body = await overview(client)
    assert body["completed_tasks"] == 5
    streams = module(body, "Multiple Income Streams")
    assert streams["unlocked"] is False
    assert "PRIVATE" in streams["lock_reason"]
    assert all(t["status"] == "locked" for t in streams["tasks"])
    # PRIVATE at 1,000 XP: now it opens; Avoid Lifestyle Inflation still needs 8 tasks
    await admin_set(player, player.user_id, {"xp": {"overall": 1000}})
    body = await overview(client)
    assert module(body, "Multiple Income Streams")["unlocked"] is True
    lifestyle = module(body, "Avoid Lifestyle Inflation")
    assert lifestyle["unlocked"] is False
    assert "8" in lifestyle["lock_reason"]


async def test_rank_alone_does_not_unlock(client: httpx.AsyncClient) -> None:
    player = await start(client)
    await admin_set(player, player.user_id, {"xp": {"overall": 50000}})
    body = await overview(client)
    # 0 tasks done: only the module that needs 0 is open, whatever the rank
    assert unlocked(body) == {"Build Emergency Fund"}
    task = module(body, "Multiple Income Streams")["tasks"][0]["id"]
    err = error(await complete(client, task), 409)
    assert err["code"] == "task_locked"


async def test_emergency_fund_task_1_xp_energy_and_learning_record(
    client: httpx.AsyncClient,
) -> None:
    await start(client)  # capacity 50: XP efficiency 1.00
    task = module(await overview(client), "Build Emergency Fund")["tasks"][0]
    response = await complete(client, task["id"], notes="£1,850 a month")
    assert response.status_code == 200, response.text
    body = response.json()
    # XP = 10 + 1 × 5 = 15; oxygen (main) 15 × 0.6 = 9; others 15 × 0.1 = 1.5 → 2; × 1.00.
    # No season multiplier (SPRING would make it 18) and no loadout.
    assert body["xp_gained"] == {"overall": 15, "categories": cats(2, 2, 9, 2, 2)}
    assert body["resources"] == {}  # task 1 has no resource reward
    assert body["state"]["xp"]["overall"] == 15
    assert body["state"]["energy"]["stored"] == 80  # 100 − 20
    # a LEARNING activity is recorded with the same numbers
    [record] = await activities(client)
    assert record["type"] == "LEARNING"
    assert (record["source"], record["description"]) == ("training", f"Training: {task['title']}")
    assert record["energy_used"] == 20
    assert record["xp_gained"] == body["xp_gained"]
    assert record["is_recovery"] is True
    assert record["multipliers"] == {"season": 1, "capacity": 1, "loadout": 1, "burnout": 1}
    # the task shows as completed with its notes; the next is available
    tasks = module(await overview(client), "Build Emergency Fund")["tasks"]
    assert (tasks[0]["status"], tasks[0]["notes"]) == ("completed", "£1,850 a month")
    assert [t["status"] for t in tasks[1:]] == ["available", "locked", "locked", "locked"]


async def test_no_season_or_loadout_multiplier_on_training(client: httpx.AsyncClient) -> None:
    player = await start(client)
    await admin_set(player, player.user_id, {"season": "SUMMER"})  # × 1.3 for activities
    rows = (await client.get("/api/v1/me/loadouts")).json()
    [strategist] = [r for r in rows if r["name"] == "The Strategist"]  # xpGain .15, cost −15 %
    await client.post(f"/api/v1/me/loadouts/{strategist['id']}/activate")
    first = module(await overview(client), "Build Emergency Fund")["tasks"][0]["id"]
    body = await completed(client, first)
    # still 15 overall, oxygen 9, others 2, and the full 20 energy
    assert body["xp_gained"] == {"overall": 15, "categories": cats(2, 2, 9, 2, 2)}
    assert body["state"]["energy"]["stored"] == 80


async def test_task_xp_in_another_module_at_another_capacity(client: httpx.AsyncClient) -> None:
    player = await start(client)
    # capacity 90: optimal band, XP efficiency 1.15, reward efficiency 1.10
    await admin_set(player, player.user_id, {"clouds": {"capacity": 90}})
    first = module(await overview(client), "Build Emergency Fund")["tasks"][0]["id"]
    one = await completed(client, first)
    # 15 × 1.15 = 17.25 → 17; oxygen 15 × 0.6 = 9 × 1.15 = 10.35 → 10;
    # others 15 × 0.1 = 1.5 → 2 × 1.15 = 2.3 → 2
    assert one["xp_gained"] == {"overall": 17, "categories": cats(2, 2, 10, 2, 2)}
    track = module(await overview(client), "Track Expenses")
    main = track["main_category"]
    assert main != "oxygen"
    tasks = track["tasks"]
    await completed(client, tasks[0]["id"])
    before = await state(client)
    two = await completed(client, tasks[1]["id"])
    # order 2: 10 + 2 × 5 = 20; 20 × 1.15 = 23; main 20 × 0.6 = 12 × 1.15 = 13.8 → 14;
    # others 20 × 0.1 = 2 × 1.15 = 2.3 → 2
    expected = dict.fromkeys(("capacity", "engines", "oxygen", "meaning", "optionality"), 2)
    expected[main] = 14
    assert two["xp_gained"] == {"overall": 23, "categories": expected}
    # its reward, × 1.10, is applied to the player (§4: oxygen, gold and keys are added)
    reward = {k: dec(v) for k, v in tasks[1]["reward"].items()}
    assert reward  # every task of this module carries a reward
    resources_before = before["resources"]
    resources_after = two["state"]["resources"]
    for name, amount in reward.items():
        assert name in ("oxygen", "gold")  # additive resources only
        scaled = amount * dec("1.10")
        assert dec(two["resources"][name]) == scaled
        assert dec(resources_after[name]) == dec(resources_before[name]) + scaled
    assert two["state"]["energy"]["stored"] == 40  # 100 − 3 × 20


async def test_emergency_fund_rewards_keys_and_milestone(client: httpx.AsyncClient) -> None:
    player = await start(client)
    # capacity 75: high band, XP efficiency 1.10, reward efficiency 1.05; cap 100
    await admin_set(player, player.user_id, {"clouds": {"capacity": 75}})
    ids = [t["id"] for t in module(await overview(client), "Build Emergency Fund")["tasks"]]
    results = [await completed(client, task_id) for task_id in ids]
    # overall (10 + 5k) × 1.1: 16.5 → 17, 22, 27.5 → 28, 33, 38.5 → 39
    assert [r["xp_gained"]["overall"] for r in results] == [17, 22, 28, 33, 39]
    # oxygen: (10 + 5k) × 0.6 = 9, 12, 15, 18, 21; × 1.1 = 9.9 → 10, 13.2 → 13, 16.5 → 17,
    # 19.8 → 20, 23.1 → 23
    assert [r["xp_gained"]["categories"]["oxygen"] for r in results] == [10, 13, 17, 20, 23]
    # others: × 0.1 = 1.5 → 2, 2, 2.5 → 3, 3, 3.5 → 4; × 1.1 = 2.2 → 2, 2.2 → 2, 3.3 → 3,
    # 3.3 → 3, 4.4 → 4
    assert [r["xp_gained"]["categories"]["meaning"] for r in results] == [2, 2, 3, 3, 4]
    # rewards × 1.05: task 3 oxygen 1.05; task 4 2.1; task 5 3.15 and keys round(1.05) = 1
    assert [{k: dec(v) for k, v in r["resources"].items()} for r in results] == [
        {},
        {},
        {"oxygen": dec("1.05")},
        {"oxygen": dec("2.1")},
        {"oxygen": dec("3.15"), "keys": 1},
    ]
    # oxygen 1.05 + 2.1 + 3.15 = 6.3 ≥ 6 after task 5 → SIX_MONTHS_EXPENSES (+1 key)
    assert [r["milestones"] for r in results[:4]] == [[], [], [], []]
    assert results[4]["milestones"] == [{"type": "SIX_MONTHS_EXPENSES", "keys": 1}]
    final = results[4]["state"]
    assert dec(final["resources"]["oxygen"]) == dec("6.3")
    assert final["resources"]["keys"] == 2  # task 5's key + the milestone's
    assert final["xp"]["overall"] == 17 + 22 + 28 + 33 + 39  # 139
    assert final["xp"]["categories"]["oxygen"] == 10 + 13 + 17 + 20 + 23  # 83
    assert final["energy"]["stored"] == 0  # 100 − 5 × 20
    assert len(await activities(client)) == 5

    # done twice: already_completed (checked before energy, which is now 0)
    err = error(await complete(client, ids[4]), 409)
    assert err["code"] == "already_completed"
    # another task: no energy left
    other = module(await overview(client), "Reduce Expenses")["tasks"][0]["id"]
    err = error(await complete(client, other), 409)
    assert err["code"] == "insufficient_energy"
    assert err["details"] == {"needed": 20, "usable": 0}
    assert len(await activities(client)) == 5


async def test_task_order_inside_a_module(client: httpx.AsyncClient) -> None:
    await start(client)
    ids = [t["id"] for t in module(await overview(client), "Build Emergency Fund")["tasks"]]
    before = await state(client)
    err = error(await complete(client, ids[1]), 409)
    assert err["code"] == "task_locked"
    # a locked module's task is locked too
    locked = module(await overview(client), "Increase Income")["tasks"][0]["id"]
    assert error(await complete(client, locked), 409)["code"] == "task_locked"
    # nothing written
    assert await activities(client) == []
    after = await state(client)
    assert after["version"] == before["version"]
    assert (await overview(client))["completed_tasks"] == 0


async def test_unknown_and_absurd_task_ids(client: httpx.AsyncClient) -> None:
    await start(client)
    assert error(await complete(client, "emergency-fund-99"), 404)["code"] == "not_found"
    assert error(await complete(client, "99999999999999999999"), 404)["code"] == "not_found"
    assert error(await complete(client, "x" * 65), 422)["code"] == "invalid_field"
    assert await activities(client) == []


async def test_bad_completion_body_is_422(client: httpx.AsyncClient) -> None:
    await start(client)
    first = module(await overview(client), "Build Emergency Fund")["tasks"][0]["id"]
    err = error(await complete(client, first, notes="x" * 2001), 422)
    assert err["code"] == "invalid_field"
    err = error(await complete(client, first, grade="A"), 422)
    assert err["details"][0]["field"] == "grade"
    assert (await overview(client))["completed_tasks"] == 0


async def test_training_in_burnout_takes_the_burnout_factor(client: httpx.AsyncClient) -> None:
    player = await start(client)
    await admin_set(player, player.user_id, {"clouds": {"capacity": 10}})
    at(days=3)  # three low-capacity boundaries → burnout (§6 step 6)
    assert (await state(client))["burnout"]["active"] is True
    first = module(await overview(client), "Build Emergency Fund")["tasks"][0]["id"]
    body = await completed(client, first)
    # 15 × 0.6 (critical band) = 9 × 0.3 = 2.7 → 3; oxygen 15 × 0.6 = 9 × 0.6 = 5.4 → 5 × 0.3
    # = 1.5 → 2; others 1.5 → 2 × 0.6 = 1.2 → 1 × 0.3 = 0.3 → 0
    assert body["xp_gained"] == {"overall": 3, "categories": cats(0, 0, 2, 0, 0)}
    # training is allowed in burnout (it is LEARNING, a recovery action); work is not
    work = await client.post("/api/v1/me/activities", json={"type": "WORK_PROJECT"})
    assert error(work, 409)["code"] == "burnout_blocks_work"
    await log(client, "REST")
