"""Every route, asked without credentials (or with forged ones): 401 or the sign-in page.

Only health, first-run setup, sign-in, registering with an invite, static files and the API's
own description answer without signing in (and, in the test environment, the testing clock).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from lifeworld.clock import clock
from tests.security.conftest import T0, World
from tests.security.routes import ROUTES, Route

PUBLIC = {
    "GET /api/v1/health",
    "GET /api/v1/ping",  # the benchmarks' floor: no data
    "GET /api/v1/setup",
    "POST /api/v1/setup",
    "POST /api/v1/auth/login",
    "POST /api/v1/auth/register",
    "POST /api/v1/auth/password-reset",  # the one-time link an admin gave the member
    "GET /api/v1/openapi.json",  # the API's description, the same on every instance
    "GET /api/docs",
    "GET /api/docs/swagger-ui-bundle.js",  # Swagger UI's own files
    "GET /api/docs/swagger-ui.css",
    "PUT /api/v1/testing/clock",  # exists only with LIFEWORLD_ENV=test
    "GET /metrics",  # counters, no household data: this machine or the metrics token (below)
    "GET /setup",
    "POST /setup",
    "GET /login",
    "POST /login",
    "GET /join",
    "POST /join",
    "GET /reset-password",
    "POST /reset-password",
    "GET /offline",
    "GET /sw.js",
    "GET /favicon.ico",
    # Connect a phone: reached before a phone trusts the server, before anyone signs in. The
    # home CA's certificate only (tests/integration/tls: never a private key).
    "GET /connect",
    "GET /connect/lifeworld-home-ca.crt",
    "GET /connect/lifeworld-home-ca.mobileconfig",
    "GET /connect/check",
}
SAMPLE = {"part": "x", "place_id": "local:1", "task_id": "build-emergency-fund-1"}
FORGED = {
    "no credentials": {},
    "forged bearer token": {"Authorization": "Bearer lw_forged-token-0000000000000000000000"},
    "not a bearer scheme": {"Authorization": "Basic YWRhOnBhc3N3b3Jk"},
    "forged session cookie": {"Cookie": "lw_session=forged-session-000000000000000000000000"},
}
GUARDED = [r for r in ROUTES if str(r) not in PUBLIC and r.path != "/static"]


@pytest.fixture
async def stranger(world: World) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=world.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


def _url(route: Route) -> str:
    return route.url(**{p: SAMPLE.get(p, 1) for p in route.params})


def test_the_public_list_names_real_routes() -> None:
    known = {str(r) for r in ROUTES}
    assert sorted(PUBLIC - known) == []
    assert len(GUARDED) >= 60


@pytest.mark.parametrize("how", sorted(FORGED))
@pytest.mark.parametrize("route", GUARDED, ids=str)
async def test_every_guarded_route_refuses_strangers(
    world: World, stranger: httpx.AsyncClient, route: Route, how: str
) -> None:
    clock.pin(T0)
    headers = {**FORGED[how], "X-CSRF-Token": "forged"}
    body = {} if route.method in ("POST", "PUT", "PATCH") else None
    answer = await stranger.request(route.method, _url(route), json=body, headers=headers)
    if route.is_api:
        assert answer.status_code == 401, answer.text
        assert answer.json()["error"]["code"] in (
            "not_authenticated",
            "invalid_token",
            "session_expired",
        )
    else:
        # A page sends the browser to sign in (or refuses the form); it never shows content.
        for _ in range(3):  # `/season` → `/#season` → the sign-in page
            assert answer.status_code in (303, 401, 403), answer.text[:300]
            location = answer.headers.get("location", "")
            if answer.status_code != 303 or location.startswith(("/login", "/setup")):
                break
            answer = await stranger.get(location.partition("#")[0], headers=headers)
        assert answer.status_code != 303 or location.startswith(("/login", "/setup")), location
    assert "VIC-PRIVATE" not in answer.text


async def test_static_files_and_health_need_no_sign_in(
    world: World, stranger: httpx.AsyncClient
) -> None:
    assert (await stranger.get("/api/v1/health")).status_code == 200
    assert (await stranger.get("/static/app.css")).status_code == 200
    assert (await stranger.get("/api/v1/setup")).json() == {"needed": False}
    assert (await stranger.get("/login")).status_code == 200


async def test_metrics_are_refused_to_other_machines_and_to_proxied_requests(
    world: World,
) -> None:
    remote = httpx.ASGITransport(app=world.app, client=("192.168.1.20", 40000))
    async with httpx.AsyncClient(transport=remote, base_url="http://testserver") as client:
        answer = await client.get("/metrics")
    assert answer.status_code == 403
    assert "Metrics are served only to this machine" in answer.text
    local = httpx.ASGITransport(app=world.app, client=("127.0.0.1", 40000))
    async with httpx.AsyncClient(transport=local, base_url="http://testserver") as client:
        proxied = await client.get("/metrics", headers={"X-Forwarded-For": "127.0.0.1"})
    assert proxied.status_code == 403
    assert "lifeworld_" not in answer.text + proxied.text
