"""A new player's dashboard state and the onboarding questionnaire (GAME_RULES.md §1, §5, §10)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.integration.game.helpers import (
    D0,
    NewClient,
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
)

QUESTIONNAIRE_STRONG = {
    "life_phase": "AUTUMN",
    "months_saved": 7,
    "health": "very_strong",
    "income_sources": 3,
    "purpose": "strong",
    "options": 5,
    "stress": "very_high",
    "experience": "very_experienced",
}


async def test_new_player_starts_as_the_rule_book_says(client: httpx.AsyncClient) -> None:
    player = await start(client)
    body = await state(client)
    assert body["user"]["id"] == player.user_id
    # §1 starts: clouds 50 each, oxygen 0, water 50, gold 0, armor 0, keys 0, energy 100.
    assert body["clouds"] == dict.fromkeys(
        ("capacity", "engines", "oxygen", "meaning", "optionality"), 50
    )
    assert body["resources"] == {"oxygen": 0, "water": 50, "gold": 0, "armor": 0, "keys": 0}
    # §2: capacity 50 < 60 → cap 85; usable = min(100, 85) = 85; the clock has not moved since
    # the account was created, so the live energy is the usable energy and it lasts 85 / 2 h.
    assert body["energy"]["stored"] == 100
    assert body["energy"]["cap"] == 85
    assert body["energy"]["usable"] == 85
    assert body["energy"]["live"] == 85
    assert body["energy"]["hours_until_empty"] == 42.5
    assert body["season"] == {"name": "SPRING", "started_on": D0.isoformat(), "days_in_season": 0}
    assert body["xp"] == {
        "overall": 0,
        "categories": cats(),
        # §5: floor(0 / 1,000) + 1 = 1 in every category.
        "category_levels": cats(1, 1, 1, 1, 1),
    }
    # §5: RECRUIT at 0 XP, level floor(0 / 5,000) + 1 = 1, 1,000 − 0 = 1,000 to PRIVATE.
    assert body["rank"] == {"name": "RECRUIT", "level": 1, "xp_for_next": 1000, "progress_pct": 0}
    # §2: capacity 50 is not < 50 → risk low.
    assert body["burnout"] == {"active": False, "since": None, "risk": "low"}
    assert body["balance"] == {"balanced": True, "average_level": 1.0, "warnings": []}
    assert body["questionnaire_done"] is False
    # §13: born with the five presets, The Balanced active, before anything else was read.
    assert body["active_loadout"]["name"] == "The Balanced"


async def test_questionnaire_with_every_area_strong_scales_category_xp_down(
    client: httpx.AsyncClient,
) -> None:
    await start(client)
    response = await client.post("/api/v1/me/questionnaire", json=QUESTIONNAIRE_STRONG)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["questionnaire_done"] is True
    # season = life phase, starting today
    assert body["season"] == {"name": "AUTUMN", "started_on": D0.isoformat(), "days_in_season": 0}
    assert body["clouds"] == {
        "capacity": 90,  # health very_strong → 90
        "engines": 75,  # 3 sources → 75
        "oxygen": 85,  # 7 months: not ≤ 6 → 85
        "meaning": 75,  # purpose strong → 75
        "optionality": 70,  # 5 options: ≤ 5 → 70
    }
    assert body["resources"] == {
        "oxygen": 7,  # = months
        "water": 90,  # health very_strong → 90
        "gold": 8000,  # max(0, 7 × 1,000 + (3 − 1) × 500) = 8,000
        "armor": 85,  # stress very_high → 85
        "keys": 3,  # (5 ≥ 3) + (5 ≥ 5) + (purpose strong) = 3
    }
    # energy 100; capacity 90 ≥ 80 → cap 110; usable min(100, 110) = 100.
    assert body["energy"]["stored"] == 100
    assert body["energy"]["cap"] == 110
    assert body["energy"]["usable"] == 100
    # XP: very_experienced → 3,000 overall. Every area is strong (health very_strong, 3 ≥ 2
    # sources, 7 ≥ 3 months, purpose strong, 5 ≥ 3 options), so m = 1.2 everywhere:
    # capacity round(3000 × .20 × 1.2) = 720, engines round(3000 × .25 × 1.2) = 900,
    # oxygen 720, meaning round(3000 × .15 × 1.2) = 540, optionality 720; sum 3,600 > 3,000,
    # so each is scaled by 3000/3600 = 5/6: 600, 750, 600, 450, 600 (exact, sum 3,000).
    assert body["xp"]["overall"] == 3000
    assert body["xp"]["categories"] == cats(600, 750, 600, 450, 600)
    # floor(600 / 1000) + 1 = 1, floor(750 / 1000) + 1 = 1, …
    assert body["xp"]["category_levels"] == cats(1, 1, 1, 1, 1)
    # 3,000 XP: PRIVATE (1,000 ≤ 3,000 < 5,000), level floor(3000 / 5000) + 1 = 1,
    # 5,000 − 3,000 = 2,000 to CORPORAL, progress (3000 − 1000) / (5000 − 1000) = 50 %.
    assert body["rank"] == {"name": "PRIVATE", "level": 1, "xp_for_next": 2000, "progress_pct": 50}
    assert body["burnout"]["risk"] == "low"  # capacity 90

    # The answers stick: a second read shows the same.
    again = await state(client)
    assert again["clouds"] == body["clouds"]
    assert again["resources"] == body["resources"]
    assert again["xp"] == body["xp"]
    # §8 checks milestones after activities, training, investments and engine changes, not
    # after the questionnaire: the next activity finds oxygen 7 ≥ 6 and gold 8,000 > 0.
    assert (await client.get("/api/v1/me/milestones")).json() == []
    rest = await log(client, "REST")
    assert rest["milestones"] == [
        {"type": "SIX_MONTHS_EXPENSES", "keys": 1},
        {"type": "FIRST_ASSET", "keys": 1},
    ]
    assert rest["state"]["resources"]["keys"] == 5  # 3 + 1 + 1


async def test_questionnaire_with_weak_areas_keeps_the_weighted_xp(
    client: httpx.AsyncClient,
) -> None:
    await start(client)
    answers = {
        "life_phase": "WINTER",
        "months_saved": 0.5,
        "health": "weak",
        "income_sources": 1,
        "purpose": "weak",
        "options": 1,
        "stress": "low",
        "experience": "some",
    }
    body = (await client.post("/api/v1/me/questionnaire", json=answers)).json()
    assert body["season"]["name"] == "WINTER"
    # health weak 40; 1 source 40; 0.5 months ≤ 1 → 30; purpose weak 35; 1 option → 30.
    assert body["clouds"] == {
        "capacity": 40,
        "engines": 40,
        "oxygen": 30,
        "meaning": 35,
        "optionality": 30,
    }
    # oxygen = 0.5; water weak 30; gold max(0, 0.5 × 1,000 + 0 × 500) = 500; armor low 20;
    # keys (1 ≥ 3) + (1 ≥ 5) + (purpose weak) = 0.
    assert body["resources"] == {"oxygen": 0.5, "water": 30, "gold": 500, "armor": 20, "keys": 0}
    # some → 750; no strong area, m = 0.8: 750 × .20 × .8 = 120, × .25 × .8 = 150, 120,
    # × .15 × .8 = 90, 120; sum 600 ≤ 750, no scaling.
    assert body["xp"] == {
        "overall": 750,
        "categories": cats(120, 150, 120, 90, 120),
        "category_levels": cats(1, 1, 1, 1, 1),
    }
    # 750 < 1,000: RECRUIT, 250 to go, 750 / 1000 = 75 %.
    assert body["rank"] == {"name": "RECRUIT", "level": 1, "xp_for_next": 250, "progress_pct": 75}
    # capacity 40: cap 85 (< 60), risk medium (< 50).
    assert body["energy"]["cap"] == 85
    assert body["burnout"]["risk"] == "medium"


async def test_questionnaire_only_once(client: httpx.AsyncClient) -> None:
    await start(client)
    first = await client.post("/api/v1/me/questionnaire", json=QUESTIONNAIRE_STRONG)
    assert first.status_code == 200
    before = await state(client)
    other = {**QUESTIONNAIRE_STRONG, "experience": "beginner", "health": "weak"}
    second = await client.post("/api/v1/me/questionnaire", json=other)
    assert error(second, 409)["code"] == "questionnaire_done"
    after = await state(client)
    assert after["xp"] == before["xp"]
    assert after["clouds"] == before["clouds"]
    assert after["version"] == before["version"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("months_saved", 121),
        ("months_saved", -1),
        ("income_sources", 0),
        ("income_sources", 11),
        ("options", 0),
        ("options", 11),
        ("health", "excellent"),
        ("stress", "none"),
        ("experience", "expert"),
        ("life_phase", "MONSOON"),
    ],
)
async def test_questionnaire_refuses_out_of_range_answers(
    client: httpx.AsyncClient, field: str, value: Any
) -> None:
    await start(client)
    before = await state(client)
    response = await client.post(
        "/api/v1/me/questionnaire", json={**QUESTIONNAIRE_STRONG, field: value}
    )
    err = error(response, 422)
    assert err["code"] == "invalid_field"
    assert [d["field"] for d in err["details"]] == [field]
    after = await state(client)
    assert after["questionnaire_done"] is False
    assert after["version"] == before["version"]


async def test_questionnaire_missing_answer_is_422(client: httpx.AsyncClient) -> None:
    await start(client)
    answers = {k: v for k, v in QUESTIONNAIRE_STRONG.items() if k != "stress"}
    err = error(await client.post("/api/v1/me/questionnaire", json=answers), 422)
    assert err["details"][0]["field"] == "stress"


async def test_rank_level_and_balance_follow_xp(client: httpx.AsyncClient) -> None:
    player = await start(client)
    body = await admin_set(
        player,
        player.user_id,
        {
            "xp": {
                "overall": 12000,
                "categories": cats(0, 15000, 15000, 15000, 15000),
            }
        },
    )
    # 12,000: SERGEANT (10,000 ≤ 12,000 < 20,000); level floor(12000 / 5000) + 1 = 3;
    # 20,000 − 12,000 = 8,000 to go; (12000 − 10000) / (20000 − 10000) = 20 %.
    assert body["rank"] == {"name": "SERGEANT", "level": 3, "xp_for_next": 8000, "progress_pct": 20}
    # levels: capacity floor(0/1000)+1 = 1, the others floor(15000/1000)+1 = 16;
    # mean (1 + 4 × 16) / 5 = 13; 13 − 1 = 12 > 10 → capacity flagged; 13 − 16 < 10 → others not.
    assert body["xp"]["category_levels"] == cats(1, 16, 16, 16, 16)
    assert body["balance"]["balanced"] is False
    assert body["balance"]["average_level"] == 13.0
    [warning] = body["balance"]["warnings"]
    assert warning["category"] == "capacity"
    assert warning["level"] == 1
    recommendation = warning["recommendation"].lower()
    assert "health" in recommendation or "energy" in recommendation

    # Exactly 10 below the mean is not "more than 10": levels 1, 14, 14, 13, 13 (XP 13,000 →
    # level 14, 12,000 → 13): mean 55 / 5 = 11, 11 − 1 = 10 → balanced.
    body = await admin_set(
        player,
        player.user_id,
        {"xp": {"categories": cats(0, 13000, 13000, 12000, 12000)}},
    )
    assert body["balance"] == {"balanced": True, "average_level": 11.0, "warnings": []}
    # One more level elsewhere (1, 14, 14, 14, 13): mean 56 / 5 = 11.2, 11.2 − 1 = 10.2 > 10.
    body = await admin_set(player, player.user_id, {"xp": {"categories": {"meaning": 13000}}})
    assert body["balance"]["average_level"] == 11.2
    assert [w["category"] for w in body["balance"]["warnings"]] == ["capacity"]

    # At the top rank there is no next rank: 150,000 = COMMAND_SERGEANT_MAJOR,
    # level floor(150000 / 5000) + 1 = 31, progress 100 %.
    body = await admin_set(player, player.user_id, {"xp": {"overall": 150000}})
    assert body["rank"] == {
        "name": "COMMAND_SERGEANT_MAJOR",
        "level": 31,
        "xp_for_next": None,
        "progress_pct": 100,
    }


async def test_rollover_weekly_evaluation_of_a_work_only_week(client: httpx.AsyncClient) -> None:
    await start(client)
    for _ in range(3):
        await log(client, "WORK_PROJECT")  # day 0: 90 energy spent, cap 85
    at(days=7)
    body = await state(client)
    # Boundary of day 1: spent 90 / cap 85 > 0.8 → one high-effort day; days 2–6 reset it to 0.
    # Boundary of day 7 (§6, in order):
    #   2. 7 days since the last WORK_PROJECT → capacity 50 − 2 = 48
    #   3. 7 days since the last activity → meaning 50 − 1 = 49
    #   5. first weekly evaluation (7 days after creation), over days 0–6: 3 WORK, nothing else;
    #      a. work 3/3 > 60 % → capacity 48 − 5 = 43, meaning 49 − 3 = 46
    #      b. 0 consecutive high-effort days → nothing
    #      c. work 3/3 > 70 % → capacity 42; no recovery action → capacity 41
    #      d. 0 recovery actions → +0
    assert body["clouds"] == {
        "capacity": 41,
        "engines": 50,
        "oxygen": 50,
        "meaning": 46,
        "optionality": 50,
    }
    assert body["energy"]["stored"] == 100  # step 7
    assert body["day"]["today"] == day(7)


async def test_rollover_weekly_evaluation_rewards_recovery(client: httpx.AsyncClient) -> None:
    await start(client)
    for kind in ("EXERCISE", "LEARNING", "REST"):  # 41 energy: 41 / 85 ≤ 0.8 (REST is free)
        await log(client, kind)
    at(days=7)
    body = await state(client)
    # day 7: 2. 7 days since the last EXERCISE/LEARNING → capacity 48; 3. meaning 49;
    # 5a. EXERCISE 1 + LEARNING 1 counted: learning 1/2 = 50 % is not > 50 % → nothing;
    # 5c. no work, 3 recovery actions → nothing; 5d. 3 recovery actions → capacity 48 + 2 = 50.
    assert body["clouds"]["capacity"] == 50
    assert body["clouds"]["meaning"] == 49
    # day 14 (nothing logged since day 0): 2. 14 days → capacity 48; 3. meaning 48;
    # 5. evaluation over days 7–13: no activities → a and c skipped, d +0.
    at(days=14)
    body = await state(client)
    assert (body["clouds"]["capacity"], body["clouds"]["meaning"]) == (48, 48)


async def test_a_year_away_is_replayed_in_one_request(client: httpx.AsyncClient) -> None:
    player = await start(client)
    await admin_set(player, player.user_id, {"resources": {"oxygen": 40}})
    at(days=365)
    body = await state(client)
    # 365 boundaries of oxygen decay, no engine: 40 − 365 × 0.1 = 3.5. Never having logged
    # anything, no neglect or drift applies; the weekly evaluations find no activities.
    assert dec(body["resources"]["oxygen"]) == dec("3.5")
    assert body["clouds"] == dict.fromkeys(
        ("capacity", "engines", "oxygen", "meaning", "optionality"), 50
    )
    assert body["day"]["today"] == day(365)
    assert body["season"]["days_in_season"] == 365


async def test_leaving_burnout_needs_capacity_and_a_recovery_action(
    client: httpx.AsyncClient, new_client: NewClient
) -> None:
    ada = await start(client)
    bob = await add_member(ada, new_client)
    for player in (ada, bob):
        await admin_set(ada, player.user_id, {"clouds": {"capacity": 15}})
    at(days=3)
    assert (await state(client))["burnout"]["active"] is True
    assert (await state(bob.client))["burnout"]["active"] is True
    # ada logs a recovery action in burnout; bob does not. Both get capacity 30 (> 25).
    await log(client, "EXERCISE")
    for player in (ada, bob):
        await admin_set(ada, player.user_id, {"clouds": {"capacity": 30}})
    at(days=4)
    left = await state(client)
    assert left["burnout"] == {"active": False, "since": None, "risk": "medium"}
    assert left["energy"]["cap"] == 85  # capacity 30: < 60 → 85
    stays = await state(bob.client)
    assert stays["burnout"]["active"] is True
    assert stays["burnout"]["since"] == day(3)
    assert stays["energy"]["cap"] == 40


async def test_the_day_starts_at_the_players_hour_in_their_timezone(
    client: httpx.AsyncClient,
) -> None:
    await start(client, timezone="Asia/Tokyo")  # T0 = 21:00 JST on 2 March
    response = await client.patch("/api/v1/me", json={"day_start_hour": 5})
    assert response.status_code == 200, response.text
    await log(client, "WORK_PROJECT")  # 100 → 73 (30 × 0.9 with The Balanced)
    at(hours=7, minutes=30)  # 04:30 JST on 3 March: before 05:00, still the day of 2 March
    body = await state(client)
    assert body["day"]["today"] == "2026-03-02"
    assert body["energy"]["stored"] == 73
    at(hours=8)  # 05:00 JST: the player's 3 March begins, energy is reset
    body = await state(client)
    assert body["day"]["today"] == "2026-03-03"
    assert body["energy"]["stored"] == 100
