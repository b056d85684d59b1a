"""Per-player export and import (API.md, docs/EXPORT_FORMAT.md): stable bytes, exact round trip."""

from __future__ import annotations

import copy
import gc
import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from lifeworld.clock import clock
from lifeworld.portability import reading
from lifeworld.settings import Settings
from tests.integration.factories import invite_code, join, set_up_household
from tests.integration.pages import follow, hidden_fields, text
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
    back = json.loads(await _export(bob))
    # the identity stays the importing account's: its name too (issue 20, item 3)
    assert back["account"]["display_name"] == "bob"
    assert {**back, "account": {**back["account"], "display_name": "ada"}} == json.loads(original)
    state = (await bob.get("/api/v1/me/state")).json()
    assert state["user"]["username"] == "bob"
    assert state["user"]["display_name"] == "bob"
    assert state["active_loadout"]["name"] == "Mine ada-marker"
    listed = (await bob.get("/api/v1/me/activities")).json()["items"]
    assert [a["type"] for a in listed] == ["LEARNING", "CUSTOM", "EXERCISE"]


async def test_an_import_is_in_the_households_audit_log(
    client: httpx.AsyncClient, new_client: NewClient
) -> None:
    bob = await _household(client, new_client)
    response = await bob.post("/api/v1/me/import", json=json.loads(await _export(client)))
    assert response.status_code == 200, response.text
    entries = (await client.get("/api/v1/admin/audit")).json()
    # newest first: bob's import, after the admin's own changes to ada's figures
    first = entries[0]
    assert (first["action"], first["actor"], first["target"]) == ("import", "bob", "bob")
    assert [e["action"] for e in entries].count("import") == 1
    changes = entries[0]["changes"]
    assert changes["imported"] == response.json()["imported"]
    assert changes["xp.overall"] == json.loads(await _export(client))["player"]["xp"]["overall"]
    assert changes["resources"]["gold"] == "4950.43"
    page = await client.get("/admin")  # the admin's page lists it too
    assert page.status_code == 200
    assert "imported a history into <strong>bob</strong>" in page.text


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
    elif case == "xp_beyond_the_admins_bound":
        bad["player"]["xp"]["overall"] = 9 * 10**12
    elif case == "category_xp_at_int64":
        bad["player"]["xp"]["categories"]["meaning"] = 2**63 - 1
    elif case == "gold_beyond_the_admins_bound":
        bad["player"]["resources"]["gold"] = "1000000000000.01"
    elif case == "keys_beyond_the_admins_bound":
        bad["player"]["resources"]["keys"] = 2 * 10**9
    elif case == "javascript_website":
        bad["saved_places"][0]["website"] = "javascript:alert(document.cookie)"
    elif case == "bad_place_id":
        bad["saved_places"][0]["place_id"] = "<script>"
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
        ("xp_beyond_the_admins_bound", "player.xp.overall"),
        ("category_xp_at_int64", "player.xp.categories.meaning"),
        ("gold_beyond_the_admins_bound", "player.resources.gold"),
        ("keys_beyond_the_admins_bound", "player.resources.keys"),
        ("javascript_website", "saved_places.0.website"),
        ("bad_place_id", "saved_places.0.place_id"),
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


async def test_a_player_with_history_is_refused_before_the_document_is_read(
    client: httpx.AsyncClient, new_client: NewClient
) -> None:
    """The emptiness check comes first: a player with history gets 409 whatever the body is,
    so nobody can make the server parse a large document it will not use (issue 20, item 2)."""
    bob = await _household(client, new_client)
    await bob.post("/api/v1/me/activities", json={"type": "REST"})
    for body in (b'{"format": ', b"[" * 100_000, b'{"activities": "' + b"x" * 500_000 + b'"}'):
        response = await bob.post(
            "/api/v1/me/import", content=body, headers={"content-type": "application/json"}
        )
        assert response.status_code == 409, response.text[:300]
        assert response.json()["error"]["code"] == "player_not_empty"


async def test_a_second_import_at_once_is_told_to_wait(
    client: httpx.AsyncClient, new_client: NewClient
) -> None:
    """Imports run one at a time per process: another is 429 with Retry-After, and writes
    nothing; once the first is over the same import goes through."""
    bob = await _household(client, new_client)
    original = await _export(client)
    async with reading.turn():  # an import holding the one place
        response = await bob.post(
            "/api/v1/me/import", content=original, headers={"content-type": "application/json"}
        )
    assert response.status_code == 429, response.text
    assert response.json()["error"]["code"] == "throttled"
    assert response.headers["retry-after"] == str(reading.RETRY_AFTER_S)
    assert json.loads(await _export(bob))["activities"] == []
    again = await bob.post(
        "/api/v1/me/import", content=original, headers={"content-type": "application/json"}
    )
    assert again.status_code == 200, again.text


async def test_the_document_is_parsed_off_the_event_loop_with_the_collector_paused(
    client: httpx.AsyncClient, new_client: NewClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    bob = await _household(client, new_client)
    loop_thread = threading.get_ident()
    threads: list[int] = []
    real = reading.parse

    collecting: list[bool] = []

    def watched(raw: bytes, content_type: str) -> Any:
        threads.append(threading.get_ident())
        collecting.append(gc.isenabled())
        return real(raw, content_type)

    monkeypatch.setattr(reading, "parse", watched)
    response = await bob.post("/api/v1/me/import", content=await _export(client),
                              headers={"content-type": "application/json"})  # fmt: skip
    assert response.status_code == 200, response.text
    assert len(threads) == 1
    assert threads[0] != loop_thread
    # the cyclic collector paused while the import ran, and back on after it, failed or not
    assert collecting == [False]
    assert gc.isenabled()
    refused = await bob.post("/api/v1/me/import", json={"format": "nothing of the sort"})
    assert refused.status_code == 409  # bob has his history now
    assert gc.isenabled()


async def test_an_import_over_the_limit_is_413(
    client: httpx.AsyncClient, new_client: NewClient, test_settings: Settings
) -> None:
    bob = await _household(client, new_client)
    doc = _long_history(json.loads(await _export(client)), 1)
    body = json.dumps(doc).encode()
    padded = body[:-1] + b", " + b" " * (test_settings.max_import_bytes - len(body)) + b"}"
    assert len(padded) > test_settings.max_import_bytes
    response = await bob.post(
        "/api/v1/me/import", content=padded, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "body_too_large"
    assert "16 MiB" in response.json()["error"]["message"]


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


async def _upload(client: httpx.AsyncClient, content: bytes) -> httpx.Response:
    page = await client.get("/settings")
    assert page.status_code == 200, page.text[:300]
    return await client.post(
        "/settings/import",
        data=hidden_fields(page.text, "/settings/import"),
        files={"document": ("export.json", content, "application/octet-stream")},
    )


async def test_the_settings_page_imports_through_the_same_checks(
    client: httpx.AsyncClient, new_client: NewClient
) -> None:
    """The Settings page's upload takes the same road as the API: the same checks (a bad date
    is refused, nothing written) and a file larger than 1 MiB goes through."""
    bob = await _household(client, new_client)
    doc = _long_history(json.loads(await _export(client)), 5000)
    body = json.dumps(doc).encode()
    assert len(body) > 1024 * 1024
    bad = _broken(doc, "restored_at_the_end_of_time")
    refused = await _upload(bob, json.dumps(bad).encode())
    assert refused.status_code == 422
    assert "This file is not a Life World export" in text(refused.text)
    assert json.loads(await _export(bob))["activities"] == []
    done = await _upload(bob, body)
    assert "Your data was imported." in await follow(bob, done)
    assert len(json.loads(await _export(bob))["activities"]) == 5000
    again = await _upload(bob, body)  # bob has a history now
    assert again.status_code == 409
    assert "this one already has activities" in text(again.text)
