"""Per-player export and import (API.md, docs/EXPORT_FORMAT.md): stable bytes, exact round trip."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from lifeworld.clock import clock
from tests.integration.factories import invite_code, join, set_up_household
from tests.security.players import FIRST_TASK, build_rich_player

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
NewClient = Callable[[], httpx.AsyncClient]


async def _household(client: httpx.AsyncClient, new_client: NewClient) -> httpx.AsyncClient:
    """Ada (admin, rich history) and an empty member, Bob, whose client is returned."""
    clock.pin(T0)
    ada = await set_up_household(client, timezone="Europe/London")
    await build_rich_player(client, client, user_id=ada["user"]["id"], marker="ada-marker")
    bob = new_client()
    await join(bob, await invite_code(client), username="bob")
    return bob


async def _export(client: httpx.AsyncClient) -> bytes:
    response = await client.get("/api/v1/me/export")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    return response.content


async def test_export_holds_everything_in_a_stable_versioned_document(
    client: httpx.AsyncClient, new_client: NewClient
) -> None:
    await _household(client, new_client)
    first = await _export(client)
    assert await _export(client) == first
    doc = json.loads(first)
    assert (doc["format"], doc["version"]) == ("lifeworld-export", 1)
    counts = {k: len(v) for k, v in doc.items() if isinstance(v, list)}
    assert counts == {
        "activities": 3,  # exercise, custom, the training task's LEARNING
        "seasons": 1,
        "engines": 3,
        "sleep_logs": 1,
        "boosts": 1,
        "training_completions": 1,
        "loadouts": 6,  # five presets and one of her own
        "investments": 1,
        "investment_growth": 1,
        "milestones": 2,  # FIRST_ASSET and REDUCED_FRAGILITY
        "saved_places": 2,  # the household's cafe and a town from the gazetteer
    }
    # 4000 from the questionnaire + 1000.50 × 1.05 (capacity 75) − 100.10 invested, as a string
    assert doc["player"]["resources"]["gold"] == "4950.43"
    assert doc["player"]["season"] == "AUTUMN"
    assert doc["account"] == {
        "display_name": "ada",
        "timezone": "Europe/London",
        "day_start_hour": 0,
    }
    assert doc["questionnaire"]["answers"]["months_saved"] == "3.5"
    assert doc["training_completions"][0]["task_id"] == FIRST_TASK
    assert doc["training_completions"][0]["activity"] == 2
    assert doc["activities"][2]["source"] == "training"
    assert doc["activities"][1]["description"] == "Café ☕ <b>ada-marker</b>"
    assert doc["activities"][0]["occurred_at"] == "2026-03-02T12:00:00Z"
    assert "id" not in json.dumps(doc["activities"][0]).replace('"', " ").split()
    assert [lo["active"] for lo in doc["loadouts"]].count(True) == 1


async def test_import_into_an_empty_player_gives_back_the_same_bytes(
    client: httpx.AsyncClient, new_client: NewClient
) -> None:
    bob = await _household(client, new_client)
    original = await _export(client)
    response = await bob.post(
        "/api/v1/me/import", content=original, headers={"content-type": "application/json"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["imported"]["activities"] == 3
    assert response.json()["imported"]["questionnaire"] == 1
    assert await _export(bob) == original
    state = (await bob.get("/api/v1/me/state")).json()
    assert state["user"]["username"] == "bob"  # the identity stays the importing account's
    assert state["active_loadout"]["name"] == "Mine ada-marker"
    listed = (await bob.get("/api/v1/me/activities")).json()["items"]
    assert [a["type"] for a in listed] == ["LEARNING", "CUSTOM", "EXERCISE"]


async def test_a_new_players_export_holds_the_presets_it_was_born_with(
    client: httpx.AsyncClient, new_client: NewClient
) -> None:
    """§13: the presets come with the player, so an export made before anything was read holds
    them, The Balanced active."""
    bob = await _household(client, new_client)
    doc = json.loads(await _export(bob))
    assert [(lo["preset_id"], lo["active"]) for lo in doc["loadouts"]] == [
        ("the-balanced", True),
        ("the-warrior", False),
        ("the-strategist", False),
        ("the-guardian", False),
        ("the-explorer", False),
    ]
    assert {lo["created_at"] for lo in doc["loadouts"]} == {"2026-03-02T12:00:00Z"}  # bob's birth


@pytest.mark.parametrize(
    ("kept", "active"),
    [
        ("none", ["the-balanced"]),  # no loadout at all: The Balanced is added active
        ("own", [None]),  # her own loadout, active: it stays the active one
        ("own-inactive", []),  # a loadout of her own, none active: The Balanced is added active
    ],
)
async def test_an_import_without_presets_gets_the_ones_it_lacks(
    client: httpx.AsyncClient, new_client: NewClient, kept: str, active: list[str | None]
) -> None:
    """A document made before players were born with presets may hold none: the document's
    loadouts win (which one is active too), and the presets it lacks are added after them, as
    the upgrade (revision 0007) adds them to a player who had none. A player is born whole,
    imported or not."""
    bob = await _household(client, new_client)
    doc = json.loads(await _export(client))
    own = [lo for lo in doc["loadouts"] if lo["preset_id"] is None]
    doc["loadouts"] = [] if kept == "none" else own
    if kept == "own-inactive":
        own[0]["active"] = False
        active = ["the-balanced"]
    response = await bob.post("/api/v1/me/import", json=doc)
    assert response.status_code == 200, response.text
    back = json.loads(await _export(bob))
    assert back["loadouts"][: len(doc["loadouts"])] == doc["loadouts"]
    added = back["loadouts"][len(doc["loadouts"]) :]
    assert [lo["preset_id"] for lo in added] == [
        "the-balanced",
        "the-warrior",
        "the-strategist",
        "the-guardian",
        "the-explorer",
    ]
    assert [lo["preset_id"] for lo in back["loadouts"] if lo["active"]] == active


async def test_import_refuses_a_player_with_history_and_changes_nothing(
    client: httpx.AsyncClient, new_client: NewClient
) -> None:
    bob = await _household(client, new_client)
    original = await _export(client)
    await bob.post("/api/v1/me/activities", json={"type": "REST"})
    before = await _export(bob)
    response = await bob.post(
        "/api/v1/me/import", content=original, headers={"content-type": "application/json"}
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "player_not_empty"
    assert response.json()["error"]["details"] == {"parts": ["activities"]}
    assert await _export(bob) == before


def _broken(doc: dict[str, Any], case: str) -> dict[str, Any]:
    bad = copy.deepcopy(doc)
    if case == "version":
        bad["version"] = 2
    elif case == "unknown_field":
        bad["player"]["cheat"] = True
    elif case == "item_in_wrong_slot":
        bad["loadouts"][-1]["slots"]["PRIMARY"] = "balance"
    elif case == "activity_reference":
        bad["training_completions"][0]["activity"] = 99
    elif case == "unknown_task":
        bad["training_completions"][0]["task_id"] = "no-such-task"
    elif case == "two_active_loadouts":
        bad["loadouts"][0]["active"] = True
    elif case == "decimal_overflow":
        bad["player"]["resources"]["gold"] = "1e40"
    elif case == "nul_in_text":
        bad["saved_places"][-1]["notes"] = "a\x00b"
    elif case == "negative_amount":
        bad["investments"][0]["amount_invested"] = "-5.00"
    elif case == "bad_timezone":
        bad["account"]["timezone"] = "Mars/Olympus"
    elif case == "duplicate_sleep_date":
        bad["sleep_logs"].append(bad["sleep_logs"][0])
    elif case == "restored_at_the_end_of_time":
        bad["player"]["energy_restored_at"] = "9999-12-31T23:59:59Z"
    elif case == "boost_at_the_end_of_time":
        bad["boosts"][0]["started_at"] = "9999-12-31T00:00:00Z"
    elif case == "activity_in_year_one":
        bad["activities"][0]["occurred_at"] = "0001-01-01T00:00:00Z"
    elif case == "activity_before_2000":
        bad["activities"][0]["occurred_at"] = "1999-12-31T23:59:59Z"
    elif case == "activity_two_days_ahead":
        ahead = max(T0, datetime.now(UTC)) + timedelta(days=2)
        bad["activities"][0]["occurred_at"] = ahead.isoformat()
    elif case == "day_in_year_9999":
        bad["activities"][0]["day"] = "9999-12-31"
    elif case == "rolled_before_created":
        bad["player"]["last_rolled_day"] = "2026-03-01"
    elif case == "engine_updated_before_created":
        bad["engines"][0]["updated_at"] = "2026-03-01T00:00:00Z"
    return bad


@pytest.mark.parametrize(
    ("case", "field"),
    [
        ("version", "version"),
        ("unknown_field", "player.cheat"),
        ("item_in_wrong_slot", "loadouts.5.slots.PRIMARY"),
        ("activity_reference", "training_completions.0.activity"),
        ("unknown_task", "training_completions.0.task_id"),
        ("two_active_loadouts", "loadouts"),
        ("decimal_overflow", "player.resources.gold"),
        ("nul_in_text", "saved_places.1.notes"),
        ("negative_amount", "investments.0.amount_invested"),
        ("bad_timezone", "account.timezone"),
        ("duplicate_sleep_date", "sleep_logs.1"),
        ("restored_at_the_end_of_time", "player.energy_restored_at"),
        ("boost_at_the_end_of_time", "boosts.0.started_at"),
        ("activity_in_year_one", "activities.0.occurred_at"),
        ("activity_before_2000", "activities.0.occurred_at"),
        ("activity_two_days_ahead", "activities.0.occurred_at"),
        ("day_in_year_9999", "activities.0.day"),
        ("rolled_before_created", "player.last_rolled_day"),
        ("engine_updated_before_created", "engines.0.updated_at"),
    ],
)
async def test_a_bad_document_is_refused_before_anything_is_written(
    client: httpx.AsyncClient, new_client: NewClient, case: str, field: str
) -> None:
    bob = await _household(client, new_client)
    doc = json.loads(await _export(client))
    before = await _export(bob)
    response = await bob.post("/api/v1/me/import", json=_broken(doc, case))
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert field in [d["field"] for d in error["details"]], error
    assert await _export(bob) == before


def _long_history(doc: dict[str, Any], count: int) -> dict[str, Any]:
    template = doc["activities"][0]
    activities = []
    for index in range(count):
        item = copy.deepcopy(template)
        item["description"] = f"entry {index:05d} " + "x" * 200
        activities.append(item)
    return {**doc, "activities": activities, "training_completions": []}


async def test_a_history_larger_than_the_api_body_limit_imports(
    client: httpx.AsyncClient, new_client: NewClient
) -> None:
    bob = await _household(client, new_client)
    doc = _long_history(json.loads(await _export(client)), 4000)
    body = json.dumps(doc).encode()
    assert len(body) > 2 * 1024 * 1024
    response = await bob.post(
        "/api/v1/me/import", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 200, response.text[:500]
    back = json.loads(await _export(bob))
    assert len(back["activities"]) == 4000
    assert back["activities"][3999]["description"].startswith("entry 03999 ")


async def test_other_writes_keep_the_one_mib_limit(client: httpx.AsyncClient) -> None:
    clock.pin(T0)
    await set_up_household(client)
    response = await client.post(
        "/api/v1/me/activities",
        content=b'{"type": "REST", "description": "' + b"x" * (1024 * 1024) + b'"}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert (await client.get("/api/v1/me/activities")).json()["items"] == []
