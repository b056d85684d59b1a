"""One committed world for the isolation suite: two households, a rich victim, four outsiders.

Household A ("The Lovelaces"): ada (admin), vic (the victim, a member with something of
everything), sam (another member). Household B ("The Hoppers", made as `lifeworld household
create` makes it): grace (its admin) and hal (a member). Every test pins the clock to T0 so the
day rollover never changes what the victim owns between tests.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from lifeworld.accounts import households
from lifeworld.accounts.security import Security
from lifeworld.app import create_app
from lifeworld.clock import clock
from lifeworld.db import migrate
from lifeworld.db.session import new_scope
from lifeworld.players.service import create_player
from lifeworld.settings import Settings
from tests.integration.factories import PASSWORD, invite_code, join, set_up_household
from tests.security.players import Built, build_rich_player

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
PRIVATE = "VIC-PRIVATE-7f3a"  # in every text the victim wrote: nobody else may ever see it
HOUSEHOLD = "LOVELACE-HOUSE-51c2"  # in the household's own place: household A only


@dataclass
class World:
    app: FastAPI
    victim: Built
    clients: dict[str, httpx.AsyncClient]
    user_ids: dict[str, int]
    baseline: bytes = b""
    extra: dict[str, Any] = field(default_factory=dict)

    def client(self, name: str) -> httpx.AsyncClient:
        return self.clients[name]


def _client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


async def _bearer(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/auth/tokens", json={"name": "isolation"})
    assert response.status_code == 201, response.text
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)
    client.headers["Authorization"] = f"Bearer {response.json()['token']}"


async def _second_household(app: FastAPI, settings: Settings) -> None:
    """Household B through the same service the `lifeworld household create` command uses."""
    async with app.state.db.sessionmaker() as session, session.begin():
        scope = new_scope(app.state.db, session, app.state.cache)
        user, _ = await households.create_household(
            scope,
            Security.from_settings(settings),
            name="The Hoppers",
            timezone="America/New_York",
            username="grace",
            email="grace@example.org",
            password=PASSWORD,
        )
        await create_player(scope, user=user, now=clock.now())


@pytest.fixture(scope="package")
async def world(test_settings: Settings, create_database: Any) -> AsyncIterator[World]:
    url = create_database("lifeworld_isolation")
    migrate.upgrade(url)
    app = create_app(test_settings, database_url=url)
    async with app.router.lifespan_context(app):
        clock.pin(T0)
        clients = {name: _client(app) for name in ("ada", "vic", "sam", "grace", "hal")}
        ada = await set_up_household(clients["ada"], timezone="UTC")
        ids = {"ada": ada["user"]["id"]}
        for name in ("vic", "sam"):
            joined = await join(clients[name], await invite_code(clients["ada"]), username=name)
            ids[name] = joined["user"]["id"]
        await _second_household(app, test_settings)
        grace = clients["grace"]
        login = await grace.post(
            "/api/v1/auth/login", json={"login": "grace", "password": PASSWORD}
        )
        assert login.status_code == 200, login.text
        grace.headers["X-CSRF-Token"] = login.json()["csrf_token"]
        ids["grace"] = login.json()["user"]["id"]
        joined = await join(clients["hal"], await invite_code(grace), username="hal")
        ids["hal"] = joined["user"]["id"]
        for client in clients.values():
            await _bearer(client)
        victim = await build_rich_player(
            clients["vic"],
            clients["ada"],
            user_id=ids["vic"],
            marker=PRIVATE,
            place_name=f"Cafe {HOUSEHOLD}",
        )
        world = World(app, victim, clients, ids)
        await invite_code(clients["ada"])  # a pending invite of household A, for the attacks
        pending = (await clients["ada"].get("/api/v1/household/invites")).json()
        world.extra["invite_id"] = pending[0]["id"]
        world.baseline = (await clients["vic"].get("/api/v1/me/export")).content
        clock.pin(None)
        try:
            yield world
        finally:
            for client in clients.values():
                await client.aclose()
    await app.state.db.dispose()
