"""Acceptance: a household of three plays 90 days through the HTTP API with the test clock.

Questionnaires, daily activities and sleep, a burnout and a recovery, a season change,
milestones, a loadout switch, investments and monthly growth. After every simulated day the
app's figures must equal those of the rule book's reference player (tests/acceptance/oracle.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import psycopg
from fastapi import FastAPI

from lifeworld.clock import clock
from lifeworld.game.investments import InvestmentType
from lifeworld.game.questionnaire import Answers, Experience, Strength, StressManagement
from lifeworld.game.ranks import rank_for
from lifeworld.game.resources import ResourceChanges
from lifeworld.game.state import CATEGORIES, ActivityType, Season
from tests.acceptance.oracle import OraclePlayer, preset_bonuses
from tests.integration.factories import invite_code, join, set_up_household

START = datetime(2027, 1, 4, 12, tzinfo=UTC)
DAYS = 90


@dataclass
class Player:
    name: str
    client: httpx.AsyncClient
    oracle: OraclePlayer
    user_id: int = 0


def _answers(body: dict[str, Any]) -> Answers:
    return Answers(
        life_phase=Season(body["life_phase"]),
        months_saved=Decimal(str(body["months_saved"])),
        health=Strength(body["health"]),
        income_sources=body["income_sources"],
        purpose=Strength(body["purpose"]),
        options=body["options"],
        stress=StressManagement(body["stress"]),
        experience=Experience(body["experience"]),
    )


async def _questionnaire(p: Player, now: datetime, body: dict[str, Any]) -> None:
    response = await p.client.post("/api/v1/me/questionnaire", json=body)
    assert response.status_code == 200, response.text
    p.oracle.questionnaire(now, _answers(body))


async def _activity(
    p: Player, now: datetime, kind: ActivityType, changes: dict[str, str] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"type": kind.value}
    if changes:
        body["resource_changes"] = changes
    expected = p.oracle.activity(
        now, kind, ResourceChanges(**{k: Decimal(v) for k, v in (changes or {}).items()})
    )
    response = await p.client.post("/api/v1/me/activities", json=body)
    if "refused" in expected:
        assert response.status_code == 409, (p.name, now, kind, response.text)
        assert response.json()["error"]["code"] == expected["refused"]
    else:
        assert response.status_code == 201, (p.name, now, kind, response.text)
        activity = response.json()["activity"]
        assert activity["xp_gained"]["overall"] == expected["xp"], (p.name, now, kind)
        assert activity["energy_used"] == expected["energy_used"]
        got = [m["type"] for m in response.json()["milestones"]]
        assert got == expected["milestones"], (p.name, now, kind)
    return expected


async def _sleep(p: Player, now: datetime) -> None:
    day = p.oracle.today(now).isoformat()
    response = await p.client.post("/api/v1/me/sleep", json={"date": day, "hours": 8, "quality": 8})
    assert response.status_code == 201, response.text
    p.oracle.sleep(now, Decimal(8), 8)


def _same_figures(p: Player, state: dict[str, Any]) -> None:
    o = p.oracle.state
    where = (p.name, state["day"]["today"])
    assert state["clouds"] == {c.value: o.clouds.get(c) for c in CATEGORIES}, where
    assert Decimal(str(state["resources"]["oxygen"])) == o.resources.oxygen, where
    assert Decimal(str(state["resources"]["water"])) == o.resources.water, where
    assert Decimal(str(state["resources"]["gold"])) == o.resources.gold, where
    assert state["resources"]["armor"] == o.resources.armor, where
    assert state["resources"]["keys"] == o.resources.keys, where
    assert state["energy"]["stored"] == o.energy, where
    assert state["xp"]["overall"] == o.xp.overall, where
    assert state["xp"]["categories"] == o.xp.categories.as_dict(), where
    assert state["season"]["name"] == o.season.value, where
    assert state["season"]["started_on"] == o.season_started_on.isoformat(), where
    assert state["burnout"]["active"] == o.burnout_active, where
    assert state["burnout"]["since"] == (o.burnout_since.isoformat() if o.burnout_since else None)


async def test_a_household_plays_ninety_days(client: httpx.AsyncClient, new_client: Any) -> None:
    """On the app of most tests, whose requests share one rolled-back connection."""
    await _ninety_days(client, new_client)


async def test_a_household_plays_ninety_days_on_an_app_that_commits(committed_app: FastAPI) -> None:
    """On an app with its own database and pools, as a real server runs: activity logs take
    their direct transactions (db/session.py), cache-miss reads share statements."""
    clients: list[httpx.AsyncClient] = []

    def make() -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=committed_app)
        clients.append(httpx.AsyncClient(transport=transport, base_url="http://testserver"))
        return clients[-1]

    try:
        await _ninety_days(make(), make)
    finally:
        for made in clients:
            await made.aclose()
    with psycopg.connect(committed_app.state.database_url) as conn:
        writers = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'lifeworld-writes'"
            " AND datname = current_database()"
        ).fetchone()
    assert writers is not None and writers[0] >= 1, "no log took a direct transaction"


async def _ninety_days(client: httpx.AsyncClient, new_client: Any) -> None:
    clock.pin(START)
    ada = Player("ada", client, OraclePlayer.new("Europe/London", START))
    ada.user_id = (await set_up_household(client, timezone="Europe/London"))["user"]["id"]
    grace = Player("grace", new_client(), OraclePlayer.new("America/New_York", START))
    linus = Player("linus", new_client(), OraclePlayer.new("Asia/Tokyo", START))
    for p in (grace, linus):
        code = await invite_code(client)
        p.user_id = (await join(p.client, code, username=p.name, timezone=p.oracle.timezone))[
            "user"
        ]["id"]

    await _questionnaire(ada, START, {
        "life_phase": "SPRING", "months_saved": 4, "health": "strong", "income_sources": 2,
        "purpose": "strong", "options": 4, "stress": "high", "experience": "some",
    })  # fmt: skip
    await _questionnaire(grace, START, {
        "life_phase": "SUMMER", "months_saved": 1, "health": "weak", "income_sources": 1,
        "purpose": "medium", "options": 2, "stress": "low", "experience": "beginner",
    })  # fmt: skip
    await _questionnaire(linus, START, {
        "life_phase": "AUTUMN", "months_saved": 5, "health": "medium", "income_sources": 3,
        "purpose": "very_strong", "options": 6, "stress": "medium", "experience": "experienced",
    })  # fmt: skip

    # A hand-checked anchor: grace's first WORK_PROJECT, capacity 40 (band 21–40: XP ×0.80),
    # SUMMER ×1.3, The Balanced she was born with (xpGain .12, energyCostReduction .10; no
    # Loadouts page read): round(500 × 1.3) = 650, round(650 × 0.80) = 520, round(520 × 1.12)
    # = 582; energy round(30 × 0.9) = 27. Her 1,000 gold from the questionnaire earns
    # FIRST_ASSET at this first check (§8: checked after every activity).
    first = await _activity(grace, START, ActivityType.WORK_PROJECT)
    assert first == {"xp": 582, "energy_used": 27, "milestones": ["FIRST_ASSET"]}

    months_grown: set[tuple[int, int]] = set()
    grace_burnouts: list[str] = []
    for day in range(DAYS):
        now = START + timedelta(days=day, minutes=1)
        clock.pin(now)

        # ada: balanced days, a loadout, two engines, an investment, a season, monthly growth.
        await _sleep(ada, now)
        if day == 1:  # a read: The Balanced has been active since her first activity
            loadouts = (await ada.client.get("/api/v1/me/loadouts")).json()
            assert [lo["name"] for lo in loadouts if lo["active"]] == ["The Balanced"]
        if day == 3:
            r = await ada.client.post(
                "/api/v1/me/investments",
                json={"type": "STOCKS", "name": "Index fund", "amount": 1000},
            )
            assert r.status_code == 201, r.text
            ada.oracle.invest(now, Decimal(1000), InvestmentType.STOCKS, Decimal("7.0"))
        if day == 5:
            for name in ("Day job", "Weekend bakery"):
                r = await ada.client.post(
                    "/api/v1/me/engines", json={"type": "CAREER", "name": name, "status": "ACTIVE"}
                )
                assert r.status_code == 201, r.text
            ada.oracle.engines_changed(now, 2)
        if day == 10:
            warrior = next(lo for lo in loadouts if lo["name"] == "The Warrior")
            r = await ada.client.post(f"/api/v1/me/loadouts/{warrior['id']}/activate")
            assert r.status_code == 200 and r.json()["active"] is True
            ada.oracle.bonuses = preset_bonuses("The Warrior")
        if day in (20, 40):
            refused = await ada.client.post("/api/v1/me/season", json={"season": "SUMMER"})
            if day == 20:  # 20 days in SPRING: too short (§7)
                assert refused.json()["error"]["code"] == "season_too_short"
            else:
                assert refused.status_code == 200, refused.text
                ada.oracle.season(now, Season.SUMMER)
        month = (now.year, now.month)
        if day >= 3 and month not in months_grown:
            r = await ada.client.post("/api/v1/me/investments/growth")
            assert r.status_code == 200, r.text
            ada.oracle.grow(now)
            months_grown.add(month)
            again = await ada.client.post("/api/v1/me/investments/growth")
            assert again.json()["error"]["code"] == "growth_already_applied"
        for kind in (ActivityType.EXERCISE, ActivityType.LEARNING, ActivityType.SAVE_EXPENSES):
            await _activity(ada, now, kind)
        await _activity(ada, now, ActivityType.WORK_PROJECT)

        # grace: works until burnout (§6), then recovers gently (work is refused meanwhile:
        # one recovery action a day keeps her under the 80% effort line of the burnout cap 40),
        # and after that keeps work and exercise in balance.
        if grace.oracle.state.burnout_active or grace_burnouts:
            plan = [ActivityType.WORK_PROJECT, ActivityType.EXERCISE]
        else:
            plan = [ActivityType.WORK_PROJECT, ActivityType.WORK_PROJECT]
        for kind in plan:
            await _activity(grace, now, kind)
        if grace.oracle.state.burnout_active and not grace_burnouts:
            grace_burnouts.append(now.date().isoformat())

        # linus: saves, rests, trains every third day.
        await _activity(linus, now, ActivityType.SAVE_EXPENSES, {"oxygen": "0.25"})
        await _activity(linus, now, ActivityType.REST)
        if day % 3 == 2:
            training = (await linus.client.get("/api/v1/me/training")).json()
            available = [
                t["id"]
                for m in training["modules"]
                for t in m["tasks"]
                if t["status"] == "available"
            ]
            if available:
                r = await linus.client.post(f"/api/v1/me/training/tasks/{available[0]}/complete")
                assert r.status_code == 200, r.text
                linus.oracle.train(now, available[0])

        for p in (ada, grace, linus):
            state = (await p.client.get("/api/v1/me/state")).json()
            _same_figures(p, state)

    # The story the figures tell.
    assert grace_burnouts, "grace never burnt out"
    assert not grace.oracle.state.burnout_active, "grace never recovered"
    kinds = [e.kind.value for e in grace.oracle.events]
    assert "burnout_entered" in kinds and "burnout_left" in kinds
    milestones = {m["type"] for m in (await ada.client.get("/api/v1/me/milestones")).json()}
    assert {"FIRST_ASSET", "REDUCED_FRAGILITY"} <= milestones
    linus_milestones = {m["type"] for m in (await linus.client.get("/api/v1/me/milestones")).json()}
    assert "SIX_MONTHS_EXPENSES" in linus_milestones
    seasons = (await ada.client.get("/api/v1/me/seasons")).json()
    assert [h["season"] for h in seasons["history"]] == ["SPRING"]
    assert len(months_grown) == 4  # January to April (day 89 is 3 April)
    portfolio = (await ada.client.get("/api/v1/me/investments")).json()
    assert Decimal(str(portfolio[0]["current_value"])) == ada.oracle.investments[0]["value"]
    assert Decimal(str(portfolio[0]["current_value"])) > Decimal(1000)
    household = (await client.get("/api/v1/household")).json()
    ranks = {m["username"]: m["rank"] for m in household["members"]}
    for p in (ada, grace, linus):
        assert ranks[p.name] == rank_for(p.oracle.state.xp.overall).value
    assert ranks["ada"] != "RECRUIT"
