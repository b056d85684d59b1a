"""No stored date or time can make a page or an endpoint answer 500 (issue 20, item 1).

An import used to accept instants from year 1 to 9999, and the arithmetic on them overflowed
later: the live energy's `empty_at`, a boost's expiry, an activity's local time on a page.
Here every timestamp of a rich player's rows is written straight into the database (SQL, as an
old import or a hand-edited row would leave it) at the edge of what PostgreSQL and Python
hold, and every reading answers 200, in several time zones (a change of zone moved a UTC
instant past year 9999 before).
"""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from lifeworld.clock import clock
from lifeworld.settings import Settings
from tests.conftest import make_app
from tests.integration.factories import set_up_household
from tests.security.players import build_rich_player

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
GAME_TABLES = (
    "players",
    "activities",
    "boosts",
    "sleep_logs",
    "engines",
    "investments",
    "investment_growth",
    "training_completions",
    "milestones",
    "season_history",
    "saved_places",
    "loadouts",
    "questionnaires",
    "rebalancing_configs",
)
ZONES = ("UTC", "Europe/Paris", "America/New_York", "Pacific/Kiritimati", "Pacific/Pago_Pago")
READS = (
    "/api/v1/me/state",
    "/api/v1/me/energy",
    "/api/v1/me/sleep",
    "/api/v1/me/activities",
    "/api/v1/me/milestones",
    "/api/v1/me/engines",
    "/api/v1/me/investments",
    "/api/v1/me/loadouts",
    "/api/v1/me/saved-places",
    "/api/v1/me/export",
    "/",
    "/activities",
    "/energy",
    "/engines",
    "/investments",
    "/loadouts",
    "/training",
    "/api/v1/me/rebalancing",
    "/places",
    "/settings",
)


async def _set_every(connection: AsyncConnection, user_id: int, kind: str, value: str) -> int:
    """Every column of type `kind` of the player's game rows set to `value`; how many."""
    columns = (
        await connection.execute(
            text(
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND data_type = :kind "
                "AND table_name = ANY(:tables)"
            ),
            {"kind": kind, "tables": list(GAME_TABLES)},
        )
    ).all()
    for table, column in columns:
        await connection.execute(
            text(f'UPDATE "{table}" SET "{column}" = CAST(:v AS {kind}) WHERE user_id = :u'),
            {"v": value, "u": user_id},
        )
    return len(columns)


@pytest.mark.parametrize(
    ("instant", "day"),
    [
        # past it, any zone east of UTC is in year 10000
        ("9999-12-31 23:59:59.999999+00", "9999-12-31"),
        # before it, any zone west of UTC is in year 0
        ("0001-01-01 00:00:00+00", "0001-01-01"),
        # ordinary enough, but half a century of drain and decay
        ("1970-01-01 00:00:00+00", "1970-01-01"),
    ],
)
async def test_no_stored_instant_makes_a_reading_fail(
    client: httpx.AsyncClient,
    connection: AsyncConnection,
    test_settings: Settings,
    instant: str,
    day: str,
) -> None:
    clock.pin(T0)
    ada = await set_up_household(client, timezone="UTC")
    user_id = ada["user"]["id"]
    await build_rich_player(client, client, user_id=user_id, marker="edge")
    assert await _set_every(connection, user_id, "timestamp with time zone", instant) >= 14
    assert await _set_every(connection, user_id, "date", day) >= 10
    app = make_app(test_settings, connection)  # a new app: nothing was cached before the SQL
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(
        transport=transport,
        base_url="http://testserver",
        cookies=client.cookies,
        headers={"X-CSRF-Token": client.headers["X-CSRF-Token"]},
    ) as reader:
        failures = []
        for zone in ZONES:
            changed = await reader.patch("/api/v1/me", json={"timezone": zone})
            assert changed.status_code == 200, changed.text
            for path in READS:
                response = await reader.get(path)
                if response.status_code != 200:
                    failures.append((zone, path, response.status_code))
                assert "Traceback" not in response.text
        assert not failures, failures
