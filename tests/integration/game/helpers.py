"""Small builders for the game API tests: a player on a pinned clock, admin edits, shortcuts.

Every expected number in these tests is computed by hand from GAME_RULES.md; the helpers only
move time, create players and send requests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx

from lifeworld.clock import clock
from tests.integration.factories import invite_code, join, set_up_household

# A Monday at noon UTC: with the household in UTC the player's game day is 2026-03-02.
T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
D0 = T0.date()

NewClient = Callable[[], httpx.AsyncClient]


@dataclass
class Player:
    client: httpx.AsyncClient
    user_id: int
    username: str


def at(*, days: int = 0, hours: float = 0, minutes: float = 0) -> datetime:
    """Pin the app's clock to T0 plus the given offset and return that instant."""
    instant = T0 + timedelta(days=days, hours=hours, minutes=minutes)
    clock.pin(instant)
    return instant


def day(offset: int) -> str:
    """The game day `offset` days after D0, as the API writes dates."""
    return (D0 + timedelta(days=offset)).isoformat()


async def use_bearer_token(client: httpx.AsyncClient) -> None:
    """Authenticate by API token from now on: tokens do not expire when the clock jumps weeks."""
    response = await client.post("/api/v1/auth/tokens", json={"name": "tests"})
    assert response.status_code == 201, response.text
    client.headers["Authorization"] = f"Bearer {response.json()['token']}"


async def start(
    client: httpx.AsyncClient, *, username: str = "ada", timezone: str = "UTC"
) -> Player:
    """The household admin, created at T0 (the clock stays pinned there)."""
    at()
    body = await set_up_household(client, username=username, timezone=timezone)
    await use_bearer_token(client)
    return Player(client, int(body["user"]["id"]), username)


async def without_loadout_bonuses(client: httpx.AsyncClient) -> None:
    """Activate an empty loadout of the player's own, so no xpGain or energyCostReduction apply.

    Players are born with The Balanced active (§13: xpGain .12, energyCostReduction .10). Tests
    of other rules whose numbers are worked out without loadout bonuses start with this choice,
    which any player may make; tests/integration/game/test_loadouts.py covers the bonuses.
    """
    made = await client.post("/api/v1/me/loadouts", json={"name": "Bare", "slots": {}})
    assert made.status_code == 201, made.text
    active = await client.post(f"/api/v1/me/loadouts/{made.json()['id']}/activate")
    assert active.status_code == 200, active.text


async def add_member(admin: Player, new_client: NewClient, username: str = "bob") -> Player:
    """A second player of the admin's household, with a browser of their own."""
    code = await invite_code(admin.client)
    client = new_client()
    data = await join(client, code, username=username)
    await use_bearer_token(client)
    return Player(client, int(data["user"]["id"]), username)


async def admin_set(admin: Player, user_id: int, body: dict[str, Any]) -> dict[str, Any]:
    """PUT /api/v1/admin/players/{user_id}; returns the player's new state."""
    response = await admin.client.put(f"/api/v1/admin/players/{user_id}", json=body)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def state(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/api/v1/me/state")
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def log(client: httpx.AsyncClient, kind: str, **fields: Any) -> dict[str, Any]:
    """Log an activity that must succeed; returns the 201 body."""
    response = await client.post("/api/v1/me/activities", json={"type": kind, **fields})
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def activities(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await client.get("/api/v1/me/activities", params={"limit": 200})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def error(response: httpx.Response, status: int) -> dict[str, Any]:
    """The error object of an answer that must have `status` (and the API's error shape)."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "details"}, body
    assert body["error"]["message"], body
    result: dict[str, Any] = body["error"]
    return result


def dec(value: Any) -> Decimal:
    """A JSON number as an exact Decimal, for comparing money and oxygen."""
    return Decimal(str(value))


def cats(
    capacity: int = 0, engines: int = 0, oxygen: int = 0, meaning: int = 0, optionality: int = 0
) -> dict[str, int]:
    """A categories object as the API writes it."""
    return {
        "capacity": capacity,
        "engines": engines,
        "oxygen": oxygen,
        "meaning": meaning,
        "optionality": optionality,
    }
