"""Today, the questionnaire, quick and custom activities and the season change, over HTTP.

Expected numbers are GAME_RULES.md's for `pages.QUESTIONNAIRE`: SPRING (XP ×1.2), capacity 75
(XP ×1.10), energy 100, gold 3,500, water 75.
"""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from lifeworld.activities.models import Activity
from lifeworld.clock import clock
from lifeworld.players.models import Player, QuestionnaireRecord
from lifeworld.seasons.models import SeasonRecord
from tests.integration.factories import PASSWORD, set_up_household
from tests.integration.pages import (
    QUESTIONNAIRE,
    field_error,
    follow,
    form_error,
    hidden_fields,
    input_value,
    ready_player,
    submit,
    text,
)


async def _count(db: AsyncSession, model: type, **where: object) -> int:
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return int(await db.scalar(query) or 0)


# --- the questionnaire -------------------------------------------------------------------


async def test_home_shows_the_questionnaire_until_it_is_answered(
    client: httpx.AsyncClient,
) -> None:
    await set_up_household(client)
    home = await client.get("/")
    assert home.status_code == 200
    assert "Question 1 of 8" in text(home.text)
    assert "Which season of life are you in right now?" in text(home.text)
    await ready_player(client)
    home = await client.get("/")
    assert "Quick actions" in text(home.text)
    assert (await client.get("/welcome")).headers["location"] == "/"


async def test_questionnaire_steps_keep_answers_check_each_and_write_once(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    await set_up_household(client)
    first = await client.get("/welcome")
    hidden = hidden_fields(first.text, "/welcome")
    answers: dict[str, str] = {}
    steps = ("life_phase", "months_saved", "health", "income_sources", "purpose")
    for number, name in enumerate(steps, start=1):
        answers[name] = str(QUESTIONNAIRE[name])
        page = await client.post(
            "/welcome", data={**hidden, **answers, "step": str(number), "action": "next"}
        )
        assert page.status_code == 200
        assert f"Question {number + 1} of 8" in text(page.text)
        hidden = hidden_fields(page.text, "/welcome")
        # The answers so far ride along in hidden fields.
        assert {k: hidden[k] for k in answers} == answers

    wrong = await client.post(
        "/welcome", data={**hidden, "options": "11", "step": "6", "action": "next"}
    )
    assert wrong.status_code == 422
    assert field_error(wrong.text, "f-options") == "Error: Enter a whole number from 1 to 10."
    assert input_value(wrong.text, "f-options") == "11"
    assert "Question 6 of 8" in text(wrong.text)

    back = await client.post("/welcome", data={**hidden, "step": "6", "action": "back"})
    assert "Question 5 of 8" in text(back.text)
    assert re.search(r'value="strong"[^>]*\schecked', back.text)

    final = {**hidden, **{k: str(v) for k, v in QUESTIONNAIRE.items()}, "step": "8"}
    final["action"] = "finish"
    done = await client.post("/welcome", data=final)
    again = await client.post("/welcome", data=final)  # the same form sent twice
    assert done.status_code == again.status_code == 303
    page = await follow(client, again)
    assert "sent twice; it was recorded once" in page
    assert await _count(db_session, QuestionnaireRecord) == 1
    player = await db_session.scalar(select(Player))
    assert player is not None and player.season == "SPRING" and player.xp_overall == 750


async def test_questionnaire_refuses_tampered_earlier_answers(client: httpx.AsyncClient) -> None:
    await set_up_household(client)
    hidden = hidden_fields((await client.get("/welcome")).text, "/welcome")
    data = {**hidden, **{k: str(v) for k, v in QUESTIONNAIRE.items()}}
    data.update(life_phase="MONSOON", step="8", action="finish")
    page = await client.post("/welcome", data=data)
    assert page.status_code == 422
    assert "Question 1 of 8" in text(page.text)  # back to the step that is wrong
    assert field_error(page.text, "f-life-phase") == "Error: Choose one answer."


# --- Today and the quick actions ---------------------------------------------------------


async def test_today_shows_the_state_from_the_services(client: httpx.AsyncClient) -> None:
    await set_up_household(client)
    await ready_player(client)
    page = text((await client.get("/")).text)
    assert "Sleep & boosts 100 of 100" in page
    assert "Recruit Level 1" in page and "750 XP" in page and "250 XP to Private" in page
    assert "Gold — savings money put aside, and what it bought £3,500.00" in page
    assert "Oxygen (cash buffer) months of expenses covered" in page
    assert "Oxygen cloud" in page and "Oxygen (cash buffer)" in page  # the two told apart
    # Born with The Balanced (§13: xpGain .12, energyCostReduction .10), no Loadouts page read:
    # 500 × 1.2 = 600 × 1.10 = 660 × 1.12 = 739.2 → 739, 30 × 0.9 = 27 energy.
    assert "Work 27 +739 XP" in page
    assert "Save 14 +1,478 XP" in page  # 1,000 × 1.2 × 1.10 = 1,320 × 1.12 = 1,478.4; 13.5 → 14
    assert "Rest free +0 XP" in page  # REST costs nothing (§3)
    assert "Summer : A season lasts at least 28 days; this one is 0 days old." in page
    assert "XP earned over the last 30 days" in page and "Your five clouds" in page


async def test_quick_action_logs_once_and_says_what_it_gained(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    await set_up_household(client)
    await ready_player(client)
    today = await client.get("/")
    form = {**hidden_fields(today.text, "/activities"), "type": "EXERCISE"}
    assert form["next"] == "/"
    first = await client.post("/activities", data=form)
    second = await client.post("/activities", data=form)
    assert first.headers["location"] == second.headers["location"] == "/#quick"
    page = await follow(client, second)
    # 200 × 1.2 × 1.10 = 264 × 1.12 (The Balanced) = 295.68 → 296; 25 × 0.9 = 22.5 → 23 energy
    assert "Exercise logged: +296 XP, 23 energy used (77 left)." in page
    assert "Milestone reached: First asset (+1 key)!" in page
    assert "recorded once" in page
    assert await _count(db_session, Activity) == 1
    assert "Sleep & boosts 77 of 100" in text((await client.get("/")).text)


async def test_energy_short_refusal_is_shown_next_to_the_actions_and_nothing_written(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    await set_up_household(client)
    await ready_player(client)
    for _ in range(3):
        await client.post("/api/v1/me/activities", json={"type": "WORK_PROJECT"})
    refused = await submit(client, "/", "/activities", {"type": "WORK_PROJECT"})
    assert refused.status_code == 409
    # three works of 27 (The Balanced): 100 → 19
    assert form_error(refused.text) == "Not enough energy: this needs 27, you have 19 usable."
    assert "Quick actions" in text(refused.text)  # Today again, not a bare error page
    assert await _count(db_session, Activity) == 3
    # The refused form's key was not used up: sending it again is tried again (and refused).
    again = await client.post("/activities", data={**hidden_fields(refused.text, "/activities")})
    assert again.status_code == 422  # no type chosen this time: the form says so
    assert form_error(again.text) == "Choose an activity."


async def test_burnout_blocks_work_with_the_rules_message(client: httpx.AsyncClient) -> None:
    body = await set_up_household(client)
    await ready_player(client)
    await client.put(
        f"/api/v1/admin/players/{body['user']['id']}", json={"clouds": {"capacity": 10}}
    )
    start = clock.now()  # capacity below 20 at three day boundaries: burnout (§6.6)
    for days in (1, 2, 3):
        clock.pin(start + timedelta(days=days))
        await client.get("/api/v1/me/state")
    page = await submit(client, "/", "/activities", {"type": "WORK_PROJECT"})
    assert page.status_code == 409
    assert form_error(page.text).startswith("You are in burnout: work is blocked.")
    assert "The way out: log recovery" in text(page.text)


async def test_custom_activity_errors_keep_values_then_it_logs(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    await set_up_household(client)
    await ready_player(client)
    data = {"type": "CUSTOM", "description": "Fixed the bike", "xp_overall": "6000"}
    data |= {"xp_capacity": "abc", "gold": "12.345"}
    wrong = await submit(client, "/activities", "/activities", data)
    assert wrong.status_code == 422
    assert field_error(wrong.text, "f-xp-overall") == (
        "Error: Enter a whole number of XP from 0 to 5000."
    )
    assert field_error(wrong.text, "f-xp-capacity").startswith("Error: Enter a whole number")
    assert field_error(wrong.text, "f-gold").startswith("Error: Enter an amount")
    assert input_value(wrong.text, "f-description") == "Fixed the bike"
    assert input_value(wrong.text, "f-xp-capacity") == "abc"
    assert await _count(db_session, Activity) == 0

    data |= {"xp_overall": "100", "xp_capacity": "50", "gold": "12.50"}
    done = await submit(client, "/activities", "/activities", data)
    assert done.headers["location"] == "/activities#custom"
    page = await follow(client, done)
    # XP 100 × 1.2 × 1.10 = 132 × 1.12 (The Balanced) = 147.84 → 148; capacity 50 → 60 → 66 →
    # 73.92 → 74; energy 20 × 0.9 = 18; gold 12.50 × reward efficiency 1.05 = 13.125 → 13.13.
    assert "Fixed the bike logged: +148 XP, 18 energy used (82 left), gold +£13.13." in page
    row = await db_session.scalar(select(Activity))
    assert row is not None and (row.xp_overall, row.xp_capacity) == (148, 74)


async def test_activity_history_pages_back(client: httpx.AsyncClient) -> None:
    await set_up_household(client)
    await ready_player(client)
    start = clock.now()
    for number in range(22):
        clock.pin(start + timedelta(days=number // 5))  # five rests a day fit in the energy
        logged = await client.post("/api/v1/me/activities", json={"type": "REST"})
        assert logged.status_code == 201, logged.text
    first = await client.get("/activities")
    assert first.text.count('class="activity-item') == 20
    older = first.text.split('href="/activities?before=')[1].split("#")[0]
    second = await client.get(f"/activities?before={older}")
    assert second.text.count('class="activity-item') == 2


# --- the season change -------------------------------------------------------------------


async def _signed_in_again(client: httpx.AsyncClient) -> None:
    """A fresh session (the old one expired while the clock jumped weeks)."""
    client.cookies.clear()
    login = await client.post("/api/v1/auth/login", json={"login": "ada", "password": PASSWORD})
    assert login.status_code == 200, login.text
    client.headers["X-CSRF-Token"] = login.json()["csrf_token"]


async def test_season_change_refused_then_allowed_and_recorded_once(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    start = clock.now()
    clock.pin(start)
    await set_up_household(client)
    await ready_player(client)
    today = await client.get("/")
    assert 'action="/season"' not in today.text  # nothing allowed on day 0: no form at all
    stale = {"season": "SUMMER", "reason": "Launch month"}
    refused = await client.post(
        "/season", data={**hidden_fields(today.text, "/activities"), **stale}
    )
    assert refused.status_code == 409
    assert form_error(refused.text) == ("A season lasts at least 28 days; this one is 0 days old.")

    clock.pin(start + timedelta(days=28))
    await _signed_in_again(client)
    today = await client.get("/")
    offered = hidden_fields(today.text, "/season")
    assert 'name="season" value="SUMMER"' in today.text
    assert 'name="season" value="SPRING"' not in today.text  # the current one is not offered
    bad = await client.post("/season", data={**offered, "reason": "x" * 301, "season": "SUMMER"})
    assert bad.status_code == 422
    assert field_error(bad.text, "f-reason") == "Error: Use at most 300 characters."
    assert input_value(bad.text, "f-reason") == "x" * 301

    form = {**offered, "season": "SUMMER", "reason": "Launch month"}
    moved = await client.post("/season", data=form)
    twice = await client.post("/season", data=form)
    assert moved.headers["location"] == twice.headers["location"] == "/#season"
    page = await follow(client, moved)
    assert "Welcome to Summer: a season of peak output." in page
    assert "Started today" in page
    assert await _count(db_session, SeasonRecord) == 1


async def test_season_form_address_leads_to_today(client: httpx.AsyncClient) -> None:
    await set_up_household(client)
    assert (await client.get("/season")).headers["location"] == "/#season"
    assert (await client.get("/activities/whatever")).headers["location"] == "/activities"


async def test_game_pages_carry_no_inline_script_or_style(client: httpx.AsyncClient) -> None:
    body = await set_up_household(client)
    await ready_player(client)
    await client.post("/api/v1/me/activities", json={"type": "EXERCISE"})
    paths = ["/", "/activities", "/energy", "/training", "/loadouts", "/investments"]
    paths += ["/engines", "/places?description=cafe&city=York", "/admin", "/welcome"]
    paths += [f"/admin?member={body['user']['id']}"]
    for path in paths:
        response = await client.get(path, follow_redirects=True)
        assert response.status_code == 200, path
        page = response.text
        assert " style=" not in page, path
        assert re.search(r"<script(?![^>]*\ssrc=)", page) is None, path
        assert re.search(r"\son[a-z]+=", page) is None, path
