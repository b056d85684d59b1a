"""The sign-in throttle (issue 20, findings 4, 5 and 7): keyed by the account, exact under
concurrency, shared by the password change, and unable to keep the owner out.

These run on `committed_app`: every request has its own connection and really commits, as in
production. (In the tests whose requests share one rolled-back connection, the throttle's own
short transaction is a savepoint inside the request's, and a refused signed-in request would
take it back with it.)
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from fastapi import FastAPI

from lifeworld.accounts.passwords import Passwords
from lifeworld.settings import Settings
from tests.integration.factories import PASSWORD, set_up_household
from tests.integration.pages import form_error, submit

LIMIT = Settings.model_fields["login_max_failures_per_account"].default
WRONG = "not the password"
NEW_PASSWORD = "a brand new passphrase"

Browser = Callable[[str], httpx.AsyncClient]


@pytest.fixture
async def browser(committed_app: FastAPI) -> AsyncIterator[Browser]:
    """Make a client that connects from the given network address (each with its own cookies)."""
    clients: list[httpx.AsyncClient] = []

    def make(address: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=committed_app, client=(address, 40000))
        client = httpx.AsyncClient(transport=transport, base_url="http://testserver")
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


async def _login(client: httpx.AsyncClient, login: str, password: str) -> httpx.Response:
    return await client.post("/api/v1/auth/login", json={"login": login, "password": password})


async def _owner(browser: Browser, address: str = "10.0.0.7") -> httpx.AsyncClient:
    home = browser(address)
    await set_up_household(home, username="ada")
    return home


async def test_forty_parallel_wrong_logins_check_exactly_the_budget(browser: Browser) -> None:
    await _owner(browser)
    attacker = browser("10.0.0.66")
    answers = await asyncio.gather(*(_login(attacker, "ada", WRONG) for _ in range(40)))
    statuses = Counter(a.status_code for a in answers)
    assert statuses == {401: LIMIT, 429: 40 - LIMIT}, statuses
    for answer in answers:
        if answer.status_code == 429:
            assert answer.json()["error"]["code"] == "throttled"
            assert int(answer.headers["Retry-After"]) >= 1


async def test_the_username_and_the_email_share_one_budget(browser: Browser) -> None:
    await _owner(browser)
    attacker = browser("10.0.0.66")
    for _ in range(LIMIT):
        assert (await _login(attacker, "ada", WRONG)).status_code == 401
    for login in ("ada@example.org", " ADA@Example.org ", "Ada"):
        answer = await _login(attacker, login, PASSWORD)
        assert answer.status_code == 429, f"{login!r} got its password checked"


async def test_an_unknown_name_is_counted_like_an_account(browser: Browser) -> None:
    await _owner(browser)
    guesser = browser("10.0.0.66")
    for _ in range(LIMIT):
        answer = await _login(guesser, "nobody", WRONG)
        assert answer.status_code == 401
        assert answer.json()["error"]["code"] == "invalid_credentials"
    assert (await _login(guesser, "NOBODY", WRONG)).status_code == 429
    assert (await _login(guesser, "ada", PASSWORD)).status_code == 200  # another account


async def test_an_attacker_cannot_keep_the_owner_out(browser: Browser) -> None:
    await _owner(browser)
    attacker = browser("10.0.0.66")
    statuses = [(await _login(attacker, "ada", WRONG)).status_code for _ in range(12)]
    assert statuses == [401] * LIMIT + [429] * (12 - LIMIT)

    # The owner, at another address that has not failed, signs in with the right password …
    phone = browser("10.0.0.8")
    signed_in = await _login(phone, "ada", PASSWORD)
    assert signed_in.status_code == 200, signed_in.text
    # … which does not give the attacker's address its guesses back.
    assert (await _login(attacker, "ada", PASSWORD)).status_code == 429

    # While the account is paused, an address gets one check: a wrong one pauses it too.
    other = browser("10.0.0.9")
    assert (await _login(other, "ada", WRONG)).status_code == 401
    assert (await _login(other, "ada", PASSWORD)).status_code == 429


async def test_twelve_wrong_current_passwords_are_throttled(browser: Browser) -> None:
    thief = await _owner(browser, "10.0.0.66")  # a stolen session, say
    change = {"current_password": WRONG, "new_password": NEW_PASSWORD}
    answers = [await thief.post("/api/v1/auth/password", json=change) for _ in range(12)]
    assert [a.status_code for a in answers] == [422] * LIMIT + [429] * (12 - LIMIT)
    assert answers[0].json()["error"]["details"][0]["field"] == "current_password"
    assert answers[-1].json()["error"]["code"] == "throttled"
    assert int(answers[-1].headers["Retry-After"]) >= 1
    right = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    assert (await thief.post("/api/v1/auth/password", json=right)).status_code == 429
    # Guessing through the password form and the sign-in is one budget.
    assert (await _login(browser("10.0.0.66"), "ada", PASSWORD)).status_code == 429
    assert (await _login(browser("10.0.0.7"), "ada", PASSWORD)).status_code == 200


async def test_when_the_queue_of_checks_is_full_a_sign_in_is_refused_at_once(
    committed_app: FastAPI, browser: Browser
) -> None:
    await _owner(browser)
    passwords = Passwords(committed_app.state.security.passwords.hasher, slots=1, waiting=0)
    committed_app.state.security.passwords = passwords
    phone = browser("10.0.0.8")
    async with passwords.turn():  # every thread busy, nobody may wait
        busy = await _login(phone, "ada", PASSWORD)
        assert busy.status_code == 429
        assert busy.headers["Retry-After"] == "1"
        assert busy.json()["error"]["message"] == (
            "Too many sign-ins are being checked right now. Try again in a moment."
        )
        page = await submit(phone, "/login", "/login", {"login": "ada", "password": PASSWORD})
        assert page.status_code == 429
        assert form_error(page.text) == (
            "Too many sign-ins are being checked right now. Try again in a moment."
        )
    # Nothing was counted: the whole budget is still there.
    for _ in range(LIMIT):
        assert (await _login(phone, "ada", WRONG)).status_code == 401
    assert (await _login(phone, "ada", PASSWORD)).status_code == 429
