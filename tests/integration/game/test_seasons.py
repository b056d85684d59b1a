"""Season changes, their order of refusals, and the history (GAME_RULES.md §7)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.integration.game.helpers import D0, Player, admin_set, at, day, dec, error, log, start


async def change(client: httpx.AsyncClient, season: str, **extra: Any) -> httpx.Response:
    return await client.post("/api/v1/me/season", json={"season": season, **extra})


async def refused(client: httpx.AsyncClient, season: str) -> str:
    """The code of a refused change (a 409)."""
    code: str = error(await change(client, season), 409)["code"]
    return code


async def moves(client: httpx.AsyncClient) -> dict[str, tuple[bool, str | None]]:
    body = (await client.get("/api/v1/me/seasons")).json()
    return {m["season"]: (m["allowed"], m["code"]) for m in body["moves"]}


async def winter_player(client: httpx.AsyncClient, water: int) -> Player:
    player = await start(client)
    await admin_set(player, player.user_id, {"season": "WINTER", "resources": {"water": water}})
    return player


async def test_refusals_come_in_the_rule_books_order(client: httpx.AsyncClient) -> None:
    # WINTER since day 0 with water 10: every rule of §7 but the first would refuse SUMMER.
    await winter_player(client, water=10)
    assert await refused(client, "WINTER") == "same_season"
    # day 0: the season is too short, whatever else is wrong
    assert await refused(client, "SUMMER") == "season_too_short"
    err = error(await change(client, "SPRING"), 409)
    assert err["code"] == "season_too_short"
    assert err["details"] == {"days_in_season": 0, "days_left": 28}
    at(days=27)
    err = error(await change(client, "SPRING"), 409)
    assert err["details"] == {"days_in_season": 27, "days_left": 1}
    at(days=28)
    # 28 days: from WINTER only to SPRING (even though water also refuses SUMMER)
    assert await refused(client, "SUMMER") == "winter_only_to_spring"
    assert await refused(client, "AUTUMN") == "winter_only_to_spring"
    # SPRING is allowed by the winter rule, but water 10 < 20 → only WINTER
    assert await refused(client, "SPRING") == "water_requires_winter"
    assert await moves(client) == {
        "SPRING": (False, "water_requires_winter"),
        "SUMMER": (False, "winter_only_to_spring"),
        "AUTUMN": (False, "winter_only_to_spring"),
        "WINTER": (False, "same_season"),
    }


async def test_water_rules(client: httpx.AsyncClient) -> None:
    player = await start(client)  # SPRING since day 0
    at(days=28)
    await admin_set(player, player.user_id, {"resources": {"water": 19.5}})
    # water 19.5 < 20 → only WINTER
    assert await refused(client, "SUMMER") == "water_requires_winter"
    assert await refused(client, "AUTUMN") == "water_requires_winter"
    await admin_set(player, player.user_id, {"resources": {"water": 25}})
    # 20 ≤ 25 < 30 → anything but SUMMER
    assert await refused(client, "SUMMER") == "water_blocks_summer"
    assert await moves(client) == {
        "SPRING": (False, "same_season"),
        "SUMMER": (False, "water_blocks_summer"),
        "AUTUMN": (True, None),
        "WINTER": (True, None),
    }
    await admin_set(player, player.user_id, {"resources": {"water": 30}})
    # 30 is not < 30: SUMMER is open
    assert (await moves(client))["SUMMER"] == (True, None)
    response = await change(client, "SUMMER")
    assert response.status_code == 200, response.text
    assert response.json()["season"] == {
        "name": "SUMMER",
        "started_on": day(28),
        "days_in_season": 0,
    }


async def test_change_allowed_after_28_days_and_history_keeps_the_end(
    client: httpx.AsyncClient,
) -> None:
    player = await start(client)
    assert await moves(client) == {
        "SPRING": (False, "same_season"),
        "SUMMER": (False, "season_too_short"),
        "AUTUMN": (False, "season_too_short"),
        "WINTER": (False, "season_too_short"),
    }
    # During SPRING the resources change: gold +250 (→ FIRST_ASSET, +1 key) on day 0 …
    await log(client, "CUSTOM", resource_changes={"gold": 250})
    # … and water 45, armor 12 on day 10.
    at(days=10)
    await admin_set(player, player.user_id, {"resources": {"water": 45, "armor": 12}})
    at(days=27, hours=11)  # still day 27 (23:00 UTC)
    assert await refused(client, "AUTUMN") == "season_too_short"
    at(days=28)
    response = await change(client, "AUTUMN", reason="harvest time")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["season"] == {"name": "AUTUMN", "started_on": day(28), "days_in_season": 0}

    seasons = (await client.get("/api/v1/me/seasons")).json()
    assert seasons["current"] == {"name": "AUTUMN", "started_on": day(28), "days_in_season": 0}
    [ended] = seasons["history"]
    assert ended["season"] == "SPRING"
    assert ended["started_on"] == D0.isoformat()
    assert ended["ended_on"] == day(28)
    assert ended["reason"] == "harvest time"
    # the resources at the END of SPRING (at its start they were water 50, gold 0, armor 0)
    assert {k: dec(v) for k, v in ended["resources_at_end"].items()} == {
        "oxygen": 0,
        "water": 45,
        "gold": 250,
        "armor": 12,
        "keys": 1,
    }
    # a new season is too short again
    assert (await moves(client))["WINTER"] == (False, "season_too_short")

    # days_in_season counts on
    at(days=31)
    assert (await client.get("/api/v1/me/seasons")).json()["current"]["days_in_season"] == 3


async def test_admin_season_change_is_kept_in_the_history(client: httpx.AsyncClient) -> None:
    player = await start(client)
    at(days=3)
    await admin_set(player, player.user_id, {"resources": {"gold": 70}, "season": "WINTER"})
    seasons = (await client.get("/api/v1/me/seasons")).json()
    assert seasons["current"] == {"name": "WINTER", "started_on": day(3), "days_in_season": 0}
    [ended] = seasons["history"]
    assert (ended["season"], ended["started_on"], ended["ended_on"]) == ("SPRING", day(0), day(3))
    # the gold set in the same request is part of the season's end
    assert dec(ended["resources_at_end"]["gold"]) == 70


@pytest.mark.parametrize(
    "body",
    [
        {"season": "MONSOON"},
        {},
        {"season": "SUMMER", "reason": "x" * 301},
        {"season": "SUMMER", "x": 1},
    ],
)
async def test_bad_season_bodies_are_422(client: httpx.AsyncClient, body: dict[str, Any]) -> None:
    await start(client)
    at(days=28)
    assert error(await client.post("/api/v1/me/season", json=body), 422)["code"] == "invalid_field"
    seasons = (await client.get("/api/v1/me/seasons")).json()
    assert seasons["current"]["name"] == "SPRING"
    assert seasons["history"] == []
