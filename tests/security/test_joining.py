"""Joining with an invite (issue 20, finding 7): a taken name or email is refused in the same
words wherever its account is, and failed attempts are not free to repeat."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from fastapi import FastAPI

from lifeworld.accounts import households
from lifeworld.clock import clock
from lifeworld.db.session import new_scope
from lifeworld.players.service import create_player
from lifeworld.settings import Settings
from tests.integration.factories import PASSWORD, invite_code, join, set_up_household

PER_INVITE = Settings.model_fields["login_max_failures_per_account"].default
PER_ADDRESS = Settings.model_fields["login_max_failures_per_address"].default

Browser = Callable[[str], httpx.AsyncClient]


@pytest.fixture
async def browser(committed_app: FastAPI) -> AsyncIterator[Browser]:
    """Make a client that connects from the given network address."""
    clients: list[httpx.AsyncClient] = []

    def make(address: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=committed_app, client=(address, 40000))
        clients.append(httpx.AsyncClient(transport=transport, base_url="http://testserver"))
        return clients[-1]

    yield make
    for client in clients:
        await client.aclose()


async def _two_households(app: FastAPI, browser: Browser) -> httpx.AsyncClient:
    """The Lovelaces (ada, admin; sam) and, beside them, the Hoppers (grace); ada's client."""
    ada = browser("10.0.0.7")
    await set_up_household(ada, username="ada")
    await join(browser("10.0.0.7"), await invite_code(ada), username="sam")
    async with app.state.db.sessionmaker() as session, session.begin():
        scope = new_scope(app.state.db, session, app.state.cache)
        grace, _ = await households.create_household(
            scope,
            app.state.security,
            name="The Hoppers",
            timezone="UTC",
            username="grace",
            email="grace@example.org",
            password=PASSWORD,
        )
        await create_player(scope, user=grace, now=clock.now())
    return ada


def _joining(code: str, username: str, email: str) -> dict[str, str]:
    return {"invite_code": code, "username": username, "email": email, "password": PASSWORD}


async def test_a_taken_name_or_email_is_refused_alike_in_any_household(
    committed_app: FastAPI, browser: Browser
) -> None:
    ada = await _two_households(committed_app, browser)
    code = await invite_code(ada)
    newcomer = browser("10.0.0.20")
    answers = {}
    for case, username, email in (
        ("email here", "eve", "Sam@example.org"),
        ("email elsewhere", "eve", "GRACE@example.org"),
        ("name here", "SAM", "eve@example.org"),
        ("name elsewhere", "Grace", "eve@example.org"),
    ):
        answer = await newcomer.post("/api/v1/auth/register", json=_joining(code, username, email))
        assert answer.status_code == 422, answer.text
        answers[case] = answer.json()
    assert answers["email here"] == answers["email elsewhere"]
    assert answers["name here"] == answers["name elsewhere"]
    for body in answers.values():
        words = body["error"]["message"].lower()
        assert "hopper" not in words and "registered" not in words and "taken" not in words
    assert answers["email here"]["error"]["details"][0]["field"] == "email"
    assert answers["name here"]["error"]["details"][0]["field"] == "username"
    joined = await newcomer.post(
        "/api/v1/auth/register", json=_joining(code, "eve", "eve@example.org")
    )
    assert joined.status_code == 201, joined.text


async def test_failed_attempts_with_one_invite_are_throttled(
    committed_app: FastAPI, browser: Browser
) -> None:
    ada = await _two_households(committed_app, browser)
    code = await invite_code(ada)
    prober = browser("10.0.0.66")
    for n in range(PER_INVITE):
        email = f"someone{n}@example.org" if n else "grace@example.org"
        answer = await prober.post(
            "/api/v1/auth/register", json=_joining(code, "grace" if n else "eve", email)
        )
        assert answer.status_code == 422, answer.text
    refused = await prober.post(
        "/api/v1/auth/register", json=_joining(code, "eve", "eve@example.org")
    )
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "throttled"
    assert int(refused.headers["Retry-After"]) >= 1
    # The invite itself is not spent: the person it was meant for, elsewhere, still joins.
    joined = await browser("10.0.0.21").post(
        "/api/v1/auth/register", json=_joining(code, "eve", "eve@example.org")
    )
    assert joined.status_code == 201, joined.text


async def test_guessing_invite_codes_counts_against_the_address(
    committed_app: FastAPI, browser: Browser
) -> None:
    await _two_households(committed_app, browser)
    guesser = browser("10.0.0.66")
    for n in range(PER_ADDRESS):
        answer = await guesser.post(
            "/api/v1/auth/register", json=_joining(f"guess-{n}", "eve", "eve@example.org")
        )
        assert answer.status_code == 422
        assert answer.json()["error"]["code"] == "invalid_invite"
    refused = await guesser.post(
        "/api/v1/auth/register", json=_joining("guess-x", "eve", "eve@example.org")
    )
    assert refused.status_code == 429
    # One budget per address for every kind of guess: signing in from there waits as well.
    login = await guesser.post("/api/v1/auth/login", json={"login": "ada", "password": PASSWORD})
    assert login.status_code == 429
