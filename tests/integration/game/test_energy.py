"""Energy status, sleep restoration, boosts and the live drain (GAME_RULES.md §2, §11)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.integration.game.helpers import (
    admin_set,
    at,
    day,
    dec,
    error,
    log,
    start,
    state,
    without_loadout_bonuses,
)


async def sleep(
    client: httpx.AsyncClient, date: str, hours: float, quality: int, **extra: Any
) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/me/sleep", json={"date": date, "hours": hours, "quality": quality, **extra}
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def spend(client: httpx.AsyncClient) -> None:
    """100 stored → 45: a WORK_PROJECT (30) and an EXERCISE (25) at their base costs (no
    loadout bonuses), so sleep has room below 85."""
    await without_loadout_bonuses(client)
    await log(client, "WORK_PROJECT")
    await log(client, "EXERCISE")


async def test_energy_status_of_a_new_player(client: httpx.AsyncClient) -> None:
    await start(client)
    body = (await client.get("/api/v1/me/energy")).json()
    # capacity 50 → cap 85; stored 100; usable 85; no time has passed: live 85, 42.5 h left
    assert body["stored"] == 100
    assert body["cap"] == 85
    assert body["usable"] == 85
    assert body["live"] == 85
    assert dec(body["hours_until_empty"]) == dec("42.5")
    assert body["burnout"] is False
    assert body["boosts"] == []


@pytest.mark.parametrize(
    ("hours", "quality", "restored"),
    [
        (8, 9, 31),  # floor(8 × (0.5 + 0.9)) = floor(11.2) = 11, + 20 (7 ≤ 8 ≤ 9, 9 ≥ 8) = 31
        (5, 4, 4),  # floor(5 × 0.9) = floor(4.5) = 4
        (7, 8, 29),  # floor(7 × 1.3) = floor(9.1) = 9, + 20 = 29
        (9, 10, 32),  # floor(min(9, 8) × 1.5) = 12, + 20 = 32
        (9.5, 10, 12),  # floor(8 × 1.5) = 12, 9.5 > 9: no bonus
        (7, 7, 8),  # floor(7 × 1.2) = floor(8.4) = 8, quality 7 < 8: no bonus
        (6.5, 9, 9),  # floor(6.5 × 1.4) = floor(9.1) = 9, 6.5 < 7: no bonus
        (0, 1, 0),  # floor(0 × 0.6) = 0
    ],
)
async def test_sleep_restoration(
    client: httpx.AsyncClient, hours: float, quality: int, restored: int
) -> None:
    await start(client)
    await spend(client)  # stored 45, cap 85
    body = await sleep(client, day(0), hours, quality)
    assert body["sleep"]["restoration"] == restored
    assert body["energy_restored"] == restored
    assert body["energy"]["stored"] == 45 + restored  # min(45 + restored, 85) = 45 + restored
    assert (await state(client))["energy"]["stored"] == 45 + restored


async def test_sleep_never_lifts_energy_above_the_cap(client: httpx.AsyncClient) -> None:
    await start(client)
    await spend(client)  # 45
    first = await sleep(client, day(-1), 8, 9)  # 45 + 31 = 76
    assert first["energy"]["stored"] == 76
    second = await sleep(client, day(0), 8, 9)  # min(76 + 31, 85) = 85
    assert second["energy_restored"] == 9
    assert second["energy"]["stored"] == 85
    third = await sleep(client, day(-2), 9, 10)  # already at the cap
    assert third["energy_restored"] == 0
    assert third["energy"]["stored"] == 85


async def test_a_second_log_for_the_same_date_replaces_it_and_cannot_farm(
    client: httpx.AsyncClient,
) -> None:
    await start(client)
    await spend(client)  # 45
    first = await sleep(client, day(0), 5, 4, notes="restless")  # + 4 → 49
    assert first["energy"]["stored"] == 49
    # The better night replaces the first: the date is worth 31 in all, so +27 more.
    better = await sleep(client, day(0), 8, 9, bed_time="23:00:00", wake_time="07:00:00")
    assert better["energy_restored"] == 27
    assert better["energy"]["stored"] == 76  # 45 + 31
    # logging the same night again gives nothing more
    same = await sleep(client, day(0), 8, 9)
    assert same["energy_restored"] == 0
    assert same["energy"]["stored"] == 76
    logs = (await client.get("/api/v1/me/sleep")).json()
    assert len(logs) == 1
    [only] = logs
    assert only["date"] == day(0)
    assert dec(only["hours"]) == 8
    assert only["quality"] == 9
    assert only["quality_label"] == "excellent"
    assert only["restoration"] == 31
    assert only["notes"] is None  # replaced, not merged


@pytest.mark.parametrize(
    ("quality", "label"),
    [
        (1, "poor"),
        (3, "poor"),
        (4, "fair"),
        (5, "fair"),
        (6, "good"),
        (8, "good"),
        (9, "excellent"),
        (10, "excellent"),
    ],
)
async def test_quality_labels(client: httpx.AsyncClient, quality: int, label: str) -> None:
    await start(client)
    body = await sleep(client, day(-1), 7.5, quality)
    assert body["sleep"]["quality_label"] == label


async def test_sleep_list_filters_from_and_to(client: httpx.AsyncClient) -> None:
    await start(client)
    for back in range(1, 6):
        await sleep(client, day(-back), 6 + back / 2, back + 3)
    everything = (await client.get("/api/v1/me/sleep")).json()
    assert [s["date"] for s in everything] == [day(-1), day(-2), day(-3), day(-4), day(-5)]
    between = (await client.get("/api/v1/me/sleep", params={"from": day(-4), "to": day(-2)})).json()
    assert [s["date"] for s in between] == [day(-2), day(-3), day(-4)]
    since = (await client.get("/api/v1/me/sleep", params={"from": day(-2)})).json()
    assert [s["date"] for s in since] == [day(-1), day(-2)]
    until = (await client.get("/api/v1/me/sleep", params={"to": day(-5)})).json()
    assert [s["date"] for s in until] == [day(-5)]
    bad = await client.get("/api/v1/me/sleep", params={"from": "last week"})
    assert error(bad, 422)["code"] == "invalid_field"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"hours": 24.5}, "hours"),
        ({"hours": -1}, "hours"),
        ({"quality": 0}, "quality"),
        ({"quality": 11}, "quality"),
        ({"date": "2026-13-01"}, "date"),
        ({"date": "2026-04-01"}, "date"),  # a month ahead
        ({"date": "2026-03-04"}, "date"),  # the day after tomorrow
        ({"date": "2024-01-01"}, "date"),  # more than a year ago
        ({"bed_time": "25:00"}, "bed_time"),
        ({"mood": "great"}, "mood"),
    ],
)
async def test_bad_sleep_logs_are_422_and_write_nothing(
    client: httpx.AsyncClient, changes: dict[str, Any], field: str
) -> None:
    await start(client)
    await spend(client)
    before = await state(client)
    body = {"date": day(0), "hours": 8, "quality": 9, **changes}
    err = error(await client.post("/api/v1/me/sleep", json=body), 422)
    assert err["code"] == "invalid_field"
    assert [d["field"] for d in err["details"]] == [field]
    assert (await client.get("/api/v1/me/sleep")).json() == []
    after = await state(client)
    assert after["energy"] == before["energy"]
    assert after["version"] == before["version"]


async def test_sleep_hours_of_exactly_24_are_allowed(client: httpx.AsyncClient) -> None:
    await start(client)
    await spend(client)
    body = await sleep(client, day(1), 24, 1)  # tomorrow's date is accepted
    assert body["sleep"]["restoration"] == 4  # floor(min(24, 8) × 0.6) = floor(4.8) = 4


async def test_boosts_are_shown_and_never_spendable(client: httpx.AsyncClient) -> None:
    await start(client)
    response = await client.post(
        "/api/v1/me/boosts",
        json={"type": "caffeine", "amount": 15, "duration_min": 60, "decay_per_hour": 10},
    )
    assert response.status_code == 201, response.text
    boost = response.json()
    assert (boost["type"], boost["amount"], boost["remaining"], boost["active"]) == (
        "caffeine",
        15,
        15,
        True,
    )
    energy = (await client.get("/api/v1/me/energy")).json()
    assert [b["id"] for b in energy["boosts"]] == [boost["id"]]
    assert energy["boosts"][0]["remaining"] == 15
    # shown, never spendable: stored and usable are what they were
    assert (energy["stored"], energy["usable"]) == (100, 85)
    # 90 minutes later it expired 30 minutes ago: 15 − floor(10 × 0.5) = 10 left
    at(minutes=90)
    energy = (await client.get("/api/v1/me/energy")).json()
    [shown] = energy["boosts"]
    assert (shown["remaining"], shown["active"]) == (10, False)
    # 2.5 hours after expiry: 15 − floor(10 × 2.5) = 15 − 25 → 0: no longer shown
    at(hours=3.5)
    assert (await client.get("/api/v1/me/energy")).json()["boosts"] == []


@pytest.mark.parametrize(
    "body",
    [
        {"type": "cocaine", "amount": 10, "duration_min": 60, "decay_per_hour": 1},
        {"type": "food", "amount": -1, "duration_min": 60, "decay_per_hour": 1},
        {"type": "food", "amount": 10, "duration_min": 0, "decay_per_hour": 1},
        {"type": "food", "amount": 10, "duration_min": 60, "decay_per_hour": -1},
        {"type": "food", "amount": 10, "duration_min": 60},
    ],
)
async def test_bad_boosts_are_422(client: httpx.AsyncClient, body: dict[str, Any]) -> None:
    await start(client)
    assert error(await client.post("/api/v1/me/boosts", json=body), 422)["code"] == "invalid_field"
    assert (await client.get("/api/v1/me/energy")).json()["boosts"] == []


async def test_live_energy_drains_two_per_hour(client: httpx.AsyncClient) -> None:
    await start(client)  # energy restored at T0 (the account's creation)
    at(hours=3)
    body = (await client.get("/api/v1/me/energy")).json()
    # usable 85 − floor(3 × 2) = 79; 85 / 2 − 3 = 39.5 hours until empty
    assert (body["usable"], body["live"]) == (85, 79)
    assert dec(body["hours_until_empty"]) == dec("39.5")
    at(hours=3, minutes=15)
    body = (await client.get("/api/v1/me/energy")).json()
    # 3.25 h × 2 = 6.5 → floor 6: 79; 42.5 − 3.25 = 39.25
    assert body["live"] == 79
    assert dec(body["hours_until_empty"]) == dec("39.25")
    at(hours=11, minutes=30)  # 23:30, same day
    body = await state(client)
    # 11.5 × 2 = 23: 85 − 23 = 62; 42.5 − 11.5 = 31
    assert body["energy"]["live"] == 62
    assert dec(body["energy"]["hours_until_empty"]) == 31
    # After midnight the new day restores energy (§6 step 7): the drain restarts at 00:00.
    at(hours=14)  # 02:00 of day 1
    body = (await client.get("/api/v1/me/energy")).json()
    assert (body["stored"], body["usable"], body["live"]) == (100, 85, 81)  # 85 − 2 × 2


async def test_sleep_restarts_the_drain(client: httpx.AsyncClient) -> None:
    await start(client)
    await spend(client)  # 45
    at(hours=2)
    await sleep(client, day(0), 5, 4)  # 49, restored now
    at(hours=4)
    body = (await client.get("/api/v1/me/energy")).json()
    # two hours since the sleep log: 49 − 4 = 45
    assert (body["stored"], body["live"]) == (49, 45)


async def test_energy_cap_follows_capacity_and_burnout(client: httpx.AsyncClient) -> None:
    player = await start(client)
    # §2: < 30 → 70; < 60 → 85; < 80 → 100; ≥ 80 → 110
    for capacity, cap in ((29, 70), (30, 85), (59, 85), (60, 100), (79, 100), (80, 110)):
        body = await admin_set(player, player.user_id, {"clouds": {"capacity": capacity}})
        assert body["energy"]["cap"] == cap, capacity
        assert body["energy"]["usable"] == min(100, cap)


async def test_only_last_night_restores_energy(client: httpx.AsyncClient) -> None:
    await start(client)
    await spend(client)
    before = await state(client)
    old = await sleep(client, day(-5), 8, 9)  # a night five days ago: history only
    assert old["energy_restored"] == 0
    assert old["sleep"]["restoration"] == 31  # floor(8 × 1.4) + 20, as the night earned
    assert (await state(client))["energy"]["stored"] == before["energy"]["stored"]
    recent = await sleep(client, day(-1), 8, 9)  # last night restores
    assert recent["energy_restored"] > 0
    dates = [s["date"] for s in (await client.get("/api/v1/me/sleep")).json()]
    assert dates == [day(-1), day(-5)]
