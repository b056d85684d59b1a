"""X-Forwarded-For cannot be used to pass for someone else: the app believes only what its own
proxies wrote (the right-most entries), whatever `LIFEWORLD_FORWARDED_ALLOW_IPS` says.

The app is served in process with the connection's peer address set, so these tests read the
app's own resolution (lifeworld/forwarding.py); tests/slow/test_replicas.py proves the same
through the real nginx with the shipped configuration.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from lifeworld.settings import Settings, SettingsError, load_settings
from tests.conftest import make_app
from tests.integration.factories import PASSWORD, set_up_household

AppFor = Callable[[str], FastAPI]


@pytest.fixture
def app_for(test_settings: Settings, connection: AsyncConnection) -> AppFor:
    """An app (in the test's rolled-back transaction) trusting the proxies `trusted`."""

    def make(trusted: str) -> FastAPI:
        return make_app(
            test_settings.model_copy(update={"forwarded_allow_ips": trusted}), connection
        )

    return make


@asynccontextmanager
async def peer(app: FastAPI, address: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose connection comes from `address` (the proxy, or the client itself)."""
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def _signed_in_from(app: FastAPI, connection: AsyncConnection, **headers: str) -> str:
    """Sign ada in through a proxy at 10.0.0.2 with `headers`; the address her session records."""
    async with peer(app, "10.0.0.2") as proxy:
        answer = await proxy.post(
            "/api/v1/auth/login",
            json={"login": "ada", "password": PASSWORD},
            headers=headers,
        )
    assert answer.status_code == 200, answer.text
    rows = await connection.execute(
        text("SELECT address FROM sessions ORDER BY created_at DESC, address LIMIT 1")
    )
    return str(rows.scalar_one())


async def _setup(app: FastAPI) -> None:
    async with peer(app, "127.0.0.1") as owner:
        await set_up_household(owner)


async def test_behind_any_proxy_the_client_is_the_entry_the_proxy_wrote(
    app_for: AppFor, connection: AsyncConnection
) -> None:
    app = app_for("*")
    await _setup(app)
    # The client wrote "6.6.6.6, 7.7.7.7"; the proxy appended the address it saw.
    seen = await _signed_in_from(
        app, connection, **{"X-Forwarded-For": "6.6.6.6, 7.7.7.7, 203.0.113.5"}
    )
    assert seen == "203.0.113.5"


async def test_a_chain_of_named_proxies_is_walked_from_the_right(
    app_for: AppFor, connection: AsyncConnection
) -> None:
    app = app_for("10.0.0.0/8, 192.0.2.10")
    await _setup(app)
    chain = "6.6.6.6, 203.0.113.5, 192.0.2.10, 10.1.1.1"  # client lie, client, two proxies
    assert await _signed_in_from(app, connection, **{"X-Forwarded-For": chain}) == "203.0.113.5"
    # Written the way some proxies write it: one header per hop, ports, IPv4 as IPv6.
    seen = await _signed_in_from(
        app,
        connection,
        **{"X-Forwarded-For": "6.6.6.6, [::ffff:203.0.113.6]:5123, 10.1.1.1:80"},
    )
    assert seen == "203.0.113.6"


async def test_a_header_that_is_not_an_address_ends_the_walk(
    app_for: AppFor, connection: AsyncConnection
) -> None:
    app = app_for("10.0.0.0/8")
    await _setup(app)
    chain = "203.0.113.5, <script>, 10.1.1.1"
    assert await _signed_in_from(app, connection, **{"X-Forwarded-For": chain}) == "10.1.1.1"


async def test_a_peer_that_is_not_a_trusted_proxy_speaks_for_itself(
    app_for: AppFor, connection: AsyncConnection
) -> None:
    app = app_for("192.0.2.10")  # not 10.0.0.2, the peer below
    await _setup(app)
    seen = await _signed_in_from(
        app, connection, **{"X-Forwarded-For": "203.0.113.5", "X-Forwarded-Proto": "https"}
    )
    assert seen == "10.0.0.2"


async def test_rotating_the_header_does_not_escape_the_per_address_throttle(
    app_for: AppFor, connection: AsyncConnection
) -> None:
    app = app_for("*")
    await _setup(app)
    limit = Settings.model_fields["login_max_failures_per_address"].default
    async with peer(app, "10.0.0.2") as proxy:
        for i in range(limit):
            wrong = await proxy.post(
                "/api/v1/auth/login",
                json={"login": f"nobody{i}", "password": "not the password"},
                headers={"X-Forwarded-For": f"198.51.100.{i}, 203.0.113.5"},
            )
            assert wrong.status_code == 401, wrong.text
        # A fresh claim, a real account and its right password: the address is still paused.
        right = await proxy.post(
            "/api/v1/auth/login",
            json={"login": "ada", "password": PASSWORD},
            headers={"X-Forwarded-For": "198.51.100.250, 203.0.113.5"},
        )
    assert right.status_code == 429, right.text
    rows = await connection.execute(text("SELECT DISTINCT address FROM login_failures"))
    assert rows.scalars().all() == ["203.0.113.5"]


async def test_the_scheme_is_believed_from_a_trusted_proxy_only(app_for: AppFor) -> None:
    app = app_for("10.0.0.2")
    await _setup(app)
    login = {"login": "ada", "password": PASSWORD}
    for address, secure in (("10.0.0.2", True), ("10.0.0.3", False)):
        async with peer(app, address) as client:
            answer = await client.post(
                "/api/v1/auth/login", json=login, headers={"X-Forwarded-Proto": "https"}
            )
        assert answer.status_code == 200, answer.text
        assert ("; secure" in answer.headers["set-cookie"].lower()) is secure, address


@pytest.mark.parametrize("value", ["*, 10.0.0.1", "10.0.0.300", "proxy.example.org", "10.0.0.0/33"])
def test_the_setting_refuses_what_is_not_an_address_or_network(value: str) -> None:
    with pytest.raises(SettingsError, match="LIFEWORLD_FORWARDED_ALLOW_IPS"):
        load_settings(_env_file=None, env="test", forwarded_allow_ips=value)
