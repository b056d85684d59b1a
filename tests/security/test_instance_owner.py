"""Instance-wide figures belong to the instance owner (an admin of the household that set the
instance up, accounts/owner.py): another household's admin gets 403 `owner_only`, a member
403 `admin_only`, on every such route and on the System page, whose link only the owner sees."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest

from lifeworld.clock import clock
from tests.integration.factories import PASSWORD
from tests.security.conftest import T0, World
from tests.security.routes import ROUTES

OWNER_ROUTES = [r for r in ROUTES if r.owner_only]
INSTANCE_WIDE = {"GET /api/v1/ops/metrics", "GET /api/v1/ops/advice"}


def test_the_instance_wide_routes_are_the_owners() -> None:
    assert {str(r) for r in OWNER_ROUTES} == INSTANCE_WIDE
    assert all(r.admin_only for r in OWNER_ROUTES), "a member is refused before the owner check"


@pytest.mark.parametrize("route", sorted(INSTANCE_WIDE))
async def test_only_the_owner_reads_instance_wide_figures(world: World, route: str) -> None:
    clock.pin(T0)
    method, path = route.split(" ")
    answer = await world.client("ada").request(method, path)
    assert answer.status_code == 200, answer.text
    for who, code in (("grace", "owner_only"), ("sam", "admin_only"), ("hal", "admin_only")):
        refused = await world.client(who).request(method, path)
        assert refused.status_code == 403, f"{who}: {refused.text}"
        assert refused.json()["error"]["code"] == code, who
        assert "latency" not in refused.text


@asynccontextmanager
async def browser(world: World, name: str) -> AsyncIterator[httpx.AsyncClient]:
    """`name` signed in with a session cookie, as a browser is."""
    transport = httpx.ASGITransport(app=world.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        signed = await client.post("/api/v1/auth/login", json={"login": name, "password": PASSWORD})
        assert signed.status_code == 200, signed.text
        yield client


async def test_the_system_page_and_its_link_are_the_owners(world: World) -> None:
    clock.pin(T0)
    expected = {"ada": 200, "grace": 403, "sam": 403, "hal": 403}
    for name, status in expected.items():
        async with browser(world, name) as client:
            page = await client.get("/system")
            home = await client.get("/household")
        assert page.status_code == status, f"{name}: {page.text[:300]}"
        assert home.status_code == 200
        assert ('href="/system"' in home.text) is (status == 200), name
    async with browser(world, "grace") as grace:
        refused = await grace.get("/system")
    assert "Only the owner of this Life World OS" in refused.text
    assert "Query latency" not in refused.text
