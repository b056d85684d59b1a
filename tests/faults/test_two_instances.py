"""Two app processes on one database: concurrent writes for one player stay exactly consistent.

50 activity logs at once, split over both instances: energy allows exactly five, so exactly five
succeed (no double spend) and the player's XP, gold and energy are exactly the sums of the five
recorded activities (no lost update). Then 20 first requests of a new day, again over both
instances, apply that day's rollover once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import psycopg
import pytest

from lifeworld.db import migrate
from lifeworld.db.urls import libpq_url
from tests.faults.harness import AppProcess, running_apps, sign_up
from tests.integration.factories import PASSWORD

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def instances(
    tmp_path_factory: pytest.TempPathFactory, create_database: Any
) -> Iterator[tuple[str, list[AppProcess], str]]:
    url = create_database("lifeworld_two_instances")
    migrate.upgrade(url)
    with running_apps(tmp_path_factory.mktemp("two"), url, count=2) as apps:
        yield url, apps, sign_up(apps[0].url)["token"]


def new_member(base_url: str, admin_token: str, username: str) -> tuple[int, dict[str, str]]:
    """A new member of the household: (user id, bearer header)."""
    admin = {"Authorization": f"Bearer {admin_token}"}
    with httpx.Client(base_url=base_url, timeout=30) as client:
        code = client.post("/api/v1/household/invites", headers=admin).json()["code"]
        joined = client.post(
            "/api/v1/auth/register",
            json={
                "invite_code": code,
                "username": username,
                "email": f"{username}@example.org",
                "password": PASSWORD,
            },
        )
        assert joined.status_code == 201, joined.text
        client.headers["X-CSRF-Token"] = joined.json()["csrf_token"]
        token = client.post("/api/v1/auth/tokens", json={"name": "faults"}).json()["token"]
    return joined.json()["user"]["id"], {"Authorization": f"Bearer {token}"}


async def _pin(apps: list[AppProcess], moment: datetime) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        for app in apps:
            answer = await client.put(
                app.url + "/api/v1/testing/clock", json={"now": moment.isoformat()}
            )
            assert answer.status_code == 200, answer.text


def _player_row(url: str, user_id: int) -> dict[str, Any]:
    with psycopg.connect(libpq_url(url)) as conn:
        cursor = conn.execute("SELECT * FROM players WHERE user_id = %s", (user_id,))
        columns = [c.name for c in cursor.description or ()]
        row = cursor.fetchone()
        assert row is not None
        return dict(zip(columns, row, strict=True))


def _activity_sums(url: str, user_id: int) -> tuple[int, int, int, int]:
    with psycopg.connect(libpq_url(url)) as conn:
        row = conn.execute(
            "SELECT count(*), coalesce(sum(xp_overall), 0), coalesce(sum(xp_meaning), 0), "
            "coalesce(sum(energy_used), 0) FROM activities WHERE user_id = %s",
            (user_id,),
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2]), int(row[3])


async def test_fifty_concurrent_logs_over_two_instances_spend_and_count_exactly(
    instances: tuple[str, list[AppProcess]],
) -> None:
    url, apps, admin = instances
    await _pin(apps, T0)
    user_id, auth = new_member(apps[0].url, admin, "spender")
    clients = [httpx.AsyncClient(base_url=a.url, headers=auth, timeout=60) for a in apps]
    try:
        calls = [
            clients[i % 2].post(
                "/api/v1/me/activities",
                json={
                    "type": "CUSTOM",
                    "custom_xp": {"overall": i, "categories": {"meaning": i}},
                    "resource_changes": {"gold": f"{i}.25"},
                },
            )
            for i in range(1, 51)
        ]
        answers = await asyncio.gather(*calls)
    finally:
        for client in clients:
            await client.aclose()
    created = [a.json() for a in answers if a.status_code == 201]
    refused = [a.json() for a in answers if a.status_code == 409]
    assert len(created) + len(refused) == 50, [a.text for a in answers if a.status_code >= 500]
    # 100 energy, 18 per CUSTOM activity (20 × 0.9: born with The Balanced): 5 fit, 10 left
    assert len(created) == 5
    assert {r["error"]["code"] for r in refused} == {"insufficient_energy"}
    assert sorted(c["energy_left"] for c in created) == [10, 28, 46, 64, 82]
    count, xp, meaning, spent = _activity_sums(url, user_id)
    player = _player_row(url, user_id)
    gained = sum(c["activity"]["xp_gained"]["overall"] for c in created)
    assert (count, spent) == (5, 90)
    assert player["energy"] == 10 and player["energy_spent_today"] == 90
    assert player["xp_overall"] == xp == gained
    assert player["xp_meaning"] == meaning
    gold = sum(Decimal(c["activity"]["resource_changes"]["gold"]) for c in created)
    assert player["gold"] == gold


async def test_twenty_first_requests_of_a_new_day_roll_it_over_once(
    instances: tuple[str, list[AppProcess]],
) -> None:
    url, apps, admin = instances
    await _pin(apps, T0)
    user_id, auth = new_member(apps[0].url, admin, "sleeper")
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {admin}"}, timeout=60) as c:
        admin_set = await c.put(
            apps[1].url + f"/api/v1/admin/players/{user_id}", json={"resources": {"oxygen": "5"}}
        )
    assert admin_set.status_code == 200, admin_set.text
    before = _player_row(url, user_id)
    await _pin(apps, T0 + timedelta(days=1))
    async with httpx.AsyncClient(headers=auth, timeout=60) as client:
        answers = await asyncio.gather(
            *(client.get(apps[i % 2].url + "/api/v1/me/state") for i in range(20))
        )
    assert [a.status_code for a in answers] == [200] * 20
    after = _player_row(url, user_id)
    assert after["last_rolled_day"] == before["last_rolled_day"] + timedelta(days=1)
    assert after["res_oxygen"] == Decimal("4.9")  # one day's decay of 0.1, not twenty
    assert {Decimal(str(a.json()["resources"]["oxygen"])) for a in answers} == {Decimal("4.9")}
    assert after["energy"] == 100
