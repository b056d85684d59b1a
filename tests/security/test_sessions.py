"""Browser sessions: new at every sign-in, gone at sign-out and password change; flags, expiry."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie

import httpx
from fastapi import FastAPI

from lifeworld.clock import clock
from tests.integration.factories import PASSWORD, set_up_household

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
NewClient = Callable[[], httpx.AsyncClient]
LOGIN = {"login": "ada", "password": PASSWORD}


def _session_cookie(response: httpx.Response) -> SimpleCookie:
    headers = [v for k, v in response.headers.multi_items() if k == "set-cookie"]
    sessions = [h for h in headers if h.startswith("lw_session=")]
    assert len(sessions) == 1, headers
    cookie = SimpleCookie()
    cookie.load(sessions[0])
    return cookie


async def _signed_in(client: httpx.AsyncClient) -> bool:
    return (await client.get("/api/v1/household")).status_code == 200


async def test_every_sign_in_gets_a_new_session_and_a_planted_one_is_not_adopted(
    client: httpx.AsyncClient, new_client: NewClient
) -> None:
    clock.pin(T0)
    setup = await set_up_household(client)
    first = client.cookies["lw_session"]
    browser = new_client()
    browser.cookies.set("lw_session", "planted-by-an-attacker-0000000000000000000")
    assert not await _signed_in(browser)
    login = await browser.post("/api/v1/auth/login", json=LOGIN)
    assert login.status_code == 200
    second = _session_cookie(login)["lw_session"].value
    again = await browser.post("/api/v1/auth/login", json=LOGIN)
    third = _session_cookie(again)["lw_session"].value
    tokens = {first, second, third, "planted-by-an-attacker-0000000000000000000"}
    assert len(tokens) == 4
    assert len({setup["csrf_token"], login.json()["csrf_token"], again.json()["csrf_token"]}) == 3
    assert await _signed_in(browser)


async def test_sign_out_revokes_the_session_on_the_server(
    client: httpx.AsyncClient, new_client: NewClient
) -> None:
    clock.pin(T0)
    await set_up_household(client)
    stolen = client.cookies["lw_session"]
    assert (await client.post("/api/v1/auth/logout")).status_code == 204
    replay = new_client()
    replay.cookies.set("lw_session", stolen)
    answer = await replay.get("/api/v1/household")
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "session_expired"


async def test_a_password_change_signs_out_every_browser(
    client: httpx.AsyncClient, new_client: NewClient
) -> None:
    clock.pin(T0)
    await set_up_household(client)
    browsers = [new_client() for _ in range(3)]
    for browser in browsers:
        assert (await browser.post("/api/v1/auth/login", json=LOGIN)).status_code == 200
    change = {"current_password": PASSWORD, "new_password": "another long passphrase"}
    assert (await client.post("/api/v1/auth/password", json=change)).status_code == 204
    for browser in [client, *browsers]:
        assert not await _signed_in(browser)


async def test_cookie_flags_over_http(client: httpx.AsyncClient) -> None:
    clock.pin(T0)
    response = await client.post(
        "/api/v1/setup",
        json={
            "household_name": "H",
            "timezone": "UTC",
            "username": "ada",
            "email": "ada@example.org",
            "password": PASSWORD,
        },
    )
    morsel = _session_cookie(response)["lw_session"]
    assert morsel["httponly"] is True
    assert morsel["samesite"] == "lax"
    assert morsel["path"] == "/"
    assert not morsel["secure"]  # plain http on the home network: a Secure cookie would be lost
    assert int(morsel["max-age"]) == 90 * 24 * 3600


async def test_cookie_is_secure_when_served_over_https(app: FastAPI) -> None:
    clock.pin(T0)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as browser:
        await set_up_household(browser)
        login = await browser.post("/api/v1/auth/login", json=LOGIN)
        for response in (login,):
            morsel = _session_cookie(response)["lw_session"]
            assert morsel["secure"] is True
            assert morsel["httponly"] is True
            assert morsel["samesite"] == "lax"


async def test_idle_sessions_expire_after_fourteen_days(
    client: httpx.AsyncClient, new_client: NewClient
) -> None:
    clock.pin(T0)
    await set_up_household(client)
    cookie = client.cookies["lw_session"]
    clock.pin(T0 + timedelta(days=13, hours=23))
    assert await _signed_in(client)  # used: the idle clock starts again
    clock.pin(T0 + timedelta(days=27, hours=22))
    assert await _signed_in(client)
    clock.pin(T0 + timedelta(days=41, hours=23))  # 14 days and a bit after the last use
    idle = new_client()
    idle.cookies.set("lw_session", cookie)
    answer = await idle.get("/api/v1/household")
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "session_expired"


async def test_sessions_end_ninety_days_after_sign_in_however_busy(
    client: httpx.AsyncClient,
) -> None:
    clock.pin(T0)
    await set_up_household(client)
    for day in range(10, 90, 10):
        clock.pin(T0 + timedelta(days=day))
        assert await _signed_in(client), day
    clock.pin(T0 + timedelta(days=89, hours=23))
    assert await _signed_in(client)
    clock.pin(T0 + timedelta(days=90, seconds=1))
    assert not await _signed_in(client)
