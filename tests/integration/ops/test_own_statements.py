"""The statements the app sends with psycopg itself (players/store.py) count in the ops figures
like the ones SQLAlchemy sends: they are the busiest of all (every cache-miss dashboard read,
the lock, read and write of every log), and the query latency the advisor watches must see them.
"""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from lifeworld.ops import metrics
from tests.integration.factories import set_up_household


def _statements() -> float:
    """Statements timed so far in this process (`lifeworld_db_query_duration_seconds_count`)."""
    for metric in metrics.DB_QUERY.collect():
        for sample in metric.samples:
            if sample.name.endswith("_count"):
                return sample.value
    raise AssertionError("the histogram has no count")


async def test_the_players_own_statements_are_timed_with_the_apps(
    committed_app: FastAPI, committed_client: httpx.AsyncClient
) -> None:
    await set_up_household(committed_client)
    assert (await committed_client.get("/api/v1/auth/csrf")).status_code == 200  # sign-in cached
    before = _statements()
    response = await committed_client.get("/api/v1/me/state")  # not cached yet: one read
    assert response.status_code == 200, response.text
    assert _statements() == before + 1
    before = _statements()
    response = await committed_client.post("/api/v1/me/activities", json={"type": "REST"})
    assert response.status_code == 201, response.text
    assert response.json()["milestones"] == []  # so the ORM inserted nothing
    assert _statements() == before + 2  # the lock with the read, the write
