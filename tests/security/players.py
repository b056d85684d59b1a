"""Players with something of everything, built through the public API (shared by the suites)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from lifeworld.game.training_catalogue import MODULES

FIRST_TASK = MODULES[0].tasks[0].id


@dataclass
class Built:
    """What a rich player owns, by the ids the API gave."""

    user_id: int
    activity_id: int
    engine_ids: list[int]
    loadout_id: int
    investment_id: int
    saved_place_id: int
    household_place_id: str
    token_id: int
    marker: str


async def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, f"{response.request.url}: {response.text}"
    return response.json() if response.content else None


async def build_rich_player(
    client: httpx.AsyncClient,
    admin: httpx.AsyncClient,
    *,
    user_id: int,
    marker: str,
    place_name: str | None = None,
) -> Built:
    """Give the player one or more rows of every kind a player owns; `marker` is in every text.

    The household place it saves is named `place_name` (the household's, seen by its members).
    """
    await ok(
        await client.post(
            "/api/v1/me/questionnaire",
            json={
                "life_phase": "SUMMER",
                "months_saved": "3.5",
                "health": "strong",
                "income_sources": 2,
                "purpose": "medium",
                "options": 4,
                "stress": "medium",
                "experience": "some",
            },
        )
    )
    exercise = await ok(await client.post("/api/v1/me/activities", json={"type": "EXERCISE"}), 201)
    custom = {
        "type": "CUSTOM",
        "description": f"Café ☕ <b>{marker}</b>",
        "custom_xp": {"overall": 321, "categories": {"meaning": 40, "optionality": 7}},
        "resource_changes": {"gold": "1000.50", "oxygen": "0.5", "keys": 1, "water": "80"},
    }
    await ok(await client.post("/api/v1/me/activities", json=custom), 201)
    engine_ids = []
    for name, status in (("Day job", "ACTIVE"), ("Shop", "ACTIVE"), ("Idea", "PLANNING")):
        body = {
            "type": "CAREER" if status == "ACTIVE" else "BUSINESS",
            "name": f"{name} {marker}",
            "description": f"notes {marker}",
            "monthly_output": "2500.25",
            "status": status,
        }
        engine_ids.append((await ok(await client.post("/api/v1/me/engines", json=body), 201))["id"])
    sleep = {"date": "2026-03-01", "hours": "7.5", "quality": 8, "notes": f"slept {marker}"}
    sleep["bed_time"], sleep["wake_time"] = "23:00:00", "06:30:00"
    state = (await ok(await client.get("/api/v1/me/state")))["day"]["today"]
    sleep["date"] = state
    await ok(await client.post("/api/v1/me/sleep", json=sleep), 201)
    boost = {"type": "caffeine", "amount": 10, "duration_min": 90, "decay_per_hour": "2.5"}
    await ok(await client.post("/api/v1/me/boosts", json=boost), 201)
    await ok(await client.get("/api/v1/me/loadouts"))
    slots = {"PRIMARY": "focus", "TACTICAL": "efficiency", "SUPPORT": "balance"}
    loadout = await ok(
        await client.post("/api/v1/me/loadouts", json={"name": f"Mine {marker}", "slots": slots}),
        201,
    )
    await ok(await client.post(f"/api/v1/me/loadouts/{loadout['id']}/activate"))
    investment = await ok(
        await client.post(
            "/api/v1/me/investments",
            json={"type": "STOCKS", "name": f"Index {marker}", "amount": "100.10"},
        ),
        201,
    )
    await ok(await client.post("/api/v1/me/investments/growth"))
    rebalancing = {"horizon_years": 30, "income_stability": "HIGH", "drift_threshold": "4.5"}
    await ok(await client.put("/api/v1/me/rebalancing", json=rebalancing))
    await ok(
        await client.post(
            f"/api/v1/me/training/tasks/{FIRST_TASK}/complete", json={"notes": f"done {marker}"}
        )
    )
    place = await ok(
        await client.post(
            "/api/v1/places",
            json={
                "name": place_name or f"Cafe {marker}",
                "category": "cafe",
                "city": "Leeds",
                "rating": "4.5",
            },
        ),
        201,
    )
    saved = await ok(
        await client.post(
            "/api/v1/me/saved-places",
            json={"place_id": place["id"], "notes": f"quiet {marker}", "favorite": True},
        ),
        201,
    )
    found = await ok(
        await client.post("/api/v1/places/search", json={"description": "town", "city": "Leeds"})
    )
    await ok(
        await client.post(
            "/api/v1/me/saved-places",
            json={"place_id": found["area"]["id"], "notes": f"my town {marker}"},
        ),
        201,
    )
    await ok(await admin.put(f"/api/v1/admin/players/{user_id}", json={"season": "AUTUMN"}))
    token = await ok(await client.post("/api/v1/auth/tokens", json={"name": f"t {marker}"}), 201)
    return Built(
        user_id=user_id,
        activity_id=exercise["activity"]["id"],
        engine_ids=engine_ids,
        loadout_id=loadout["id"],
        investment_id=investment["investment"]["id"],
        saved_place_id=saved["id"],
        household_place_id=place["id"],
        token_id=token["id"],
        marker=marker,
    )
