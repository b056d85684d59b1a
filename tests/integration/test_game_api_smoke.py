"""First look at the game API: a new player's state and one activity, numbers from GAME_RULES.md."""

from __future__ import annotations

import httpx

from tests.integration.factories import set_up_household


async def test_new_player_state_and_a_work_project(client: httpx.AsyncClient) -> None:
    await set_up_household(client)
    state = (await client.get("/api/v1/me/state")).json()
    assert state["clouds"] == dict.fromkeys(
        ("capacity", "engines", "oxygen", "meaning", "optionality"), 50
    )
    assert state["energy"]["stored"] == 100
    assert state["energy"]["cap"] == 85
    assert state["rank"] == {
        "name": "RECRUIT",
        "level": 1,
        "xp_for_next": 1000,
        "progress_pct": 0.0,
    }

    logged = await client.post("/api/v1/me/activities", json={"type": "WORK_PROJECT"})
    assert logged.status_code == 201, logged.text
    body = logged.json()
    # SPRING ×1.2, capacity 50 → efficiency 1.00, The Balanced (born with it: xpGain .12 →
    # × 1.12, energyCostReduction .10), not in burnout: 500 → 600 → 672; 100 → 120 → 134.4 →
    # 134; 300 → 360 → 403.2 → 403; 50 → 60 → 67.2 → 67; energy round(30 × 0.9) = 27.
    assert body["activity"]["xp_gained"] == {
        "overall": 672,
        "categories": {
            "capacity": 134,
            "engines": 403,
            "oxygen": 67,
            "meaning": 0,
            "optionality": 0,
        },
    }
    assert body["activity"]["energy_used"] == 27
    assert body["state"]["energy"]["stored"] == 73
    assert body["state"]["xp"]["overall"] == 672
