"""A read that signed in from the database must not hold a pooled connection while it waits for
a value another request is computing: that request may need the connection.

With every connection held so, the computing request waited for the pool, the waiting ones for
it, and all of them failed at the pool's timeout (seen in bench/ at 64 connections: place
details with ?refresh=true, sign-ins whose cached copy had just expired).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import psycopg
import pytest
from fastapi import FastAPI

from lifeworld.db import migrate
from lifeworld.settings import Settings
from tests.conftest import serving
from tests.integration.factories import set_up_household


@pytest.fixture
async def one_connection_app(
    test_settings: Settings, create_database: Any
) -> AsyncIterator[FastAPI]:
    url = create_database("lifeworld_flight")
    migrate.upgrade(url)
    settings = test_settings.model_copy(update={"db_pool_size": 1, "db_max_overflow": 0})
    async with serving(settings, url) as app:
        yield app


async def _until(condition: Any, what: str) -> None:
    deadline = time.monotonic() + 5
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting: {what}")
        await asyncio.sleep(0.005)


async def test_a_reader_signed_in_from_the_database_lets_the_computing_request_have_the_connection(
    one_connection_app: FastAPI,
) -> None:
    app = one_connection_app
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        await set_up_household(client)
        tokens = []
        for name in ("cached", "fresh"):
            answer = await client.post("/api/v1/auth/tokens", json={"name": name})
            assert answer.status_code == 201, answer.text
            tokens.append(answer.json()["token"])
        place = await client.post(
            "/api/v1/places",
            json={"name": "Cafe Moka", "category": "cafe", "city": "Lyon", "rating": 4.5},
        )
        assert place.status_code == 201, place.text
        url = f"/api/v1/places/{place.json()['id']}?refresh=true"
        cached, fresh = ({"Authorization": f"Bearer {t}"} for t in tokens)
        client.cookies.clear()
        assert (await client.get("/api/v1/auth/csrf", headers=cached)).status_code == 200

        pool = app.state.db.engine.pool
        async with await psycopg.AsyncConnection.connect(app.state.database_url) as blocker:
            # The fresh token's sign-in reads api_tokens: it waits here, holding the pool's
            # only connection, until the lock goes.
            await blocker.execute("LOCK TABLE api_tokens IN ACCESS EXCLUSIVE MODE")
            reader = asyncio.create_task(client.get(url, headers=fresh))
            await _until(lambda: pool.checkedout() == 1, "the fresh sign-in holds the connection")
            # Signed in from memory, this one computes the place and waits for the connection.
            leader = asyncio.create_task(client.get(url, headers=cached))
            await asyncio.sleep(0.3)
            assert not leader.done()
            await blocker.rollback()
        answers = await asyncio.wait_for(asyncio.gather(leader, reader), timeout=8)
    assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
    assert all(a.json()["name"] == "Cafe Moka" for a in answers)
