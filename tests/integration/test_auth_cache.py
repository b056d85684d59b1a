"""Sign-ins remembered in memory for a minute, and forgotten everywhere the moment they end."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from tests.integration.factories import PASSWORD, set_up_household
from tests.integration.test_state_cache import Statements


async def _sign_in_on(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/auth/login", json={"login": "ada", "password": PASSWORD})
    assert response.status_code == 200, response.text
    client.headers["X-CSRF-Token"] = response.json()["csrf_token"]


async def test_a_known_session_is_served_from_memory(
    committed_app: FastAPI, committed_client: httpx.AsyncClient
) -> None:
    await set_up_household(committed_client)
    assert (await committed_client.get("/api/v1/household")).status_code == 200
    with Statements(committed_app) as seen:
        assert (await committed_client.get("/api/v1/me/state")).status_code == 200
        assert (await committed_client.get("/api/v1/me/state")).status_code == 200
    assert not any("FROM sessions" in s for s in seen), seen


async def test_sign_out_on_one_instance_ends_the_session_on_the_other(
    committed_client: httpx.AsyncClient, second_instance: httpx.AsyncClient
) -> None:
    await set_up_household(committed_client)
    cookie = committed_client.cookies["lw_session"]
    second_instance.cookies.set("lw_session", cookie)
    assert (await second_instance.get("/api/v1/me/state")).status_code == 200  # now cached there
    assert (await committed_client.post("/api/v1/auth/logout")).status_code == 204
    gone = await second_instance.get("/api/v1/me/state")
    assert gone.status_code == 401
    assert gone.json()["error"]["code"] == "session_expired"


async def test_a_deleted_token_stops_working_everywhere_at_once(
    committed_client: httpx.AsyncClient, second_instance: httpx.AsyncClient
) -> None:
    await set_up_household(committed_client)
    created = (await committed_client.post("/api/v1/auth/tokens", json={"name": "s"})).json()
    second_instance.headers["Authorization"] = f"Bearer {created['token']}"
    assert (await second_instance.get("/api/v1/me/state")).status_code == 200
    deleted = await committed_client.delete(f"/api/v1/auth/tokens/{created['id']}")
    assert deleted.status_code == 204
    assert (await second_instance.get("/api/v1/me/state")).status_code == 401


async def test_a_password_change_signs_out_cached_sessions_on_every_instance(
    committed_client: httpx.AsyncClient, second_instance: httpx.AsyncClient
) -> None:
    await set_up_household(committed_client)
    await _sign_in_on(second_instance)
    assert (await second_instance.get("/api/v1/me/state")).status_code == 200
    changed = await committed_client.post(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": "another long passphrase"},
    )
    assert changed.status_code == 204
    assert (await second_instance.get("/api/v1/me/state")).status_code == 401


async def test_a_profile_change_shows_on_every_instance(
    committed_client: httpx.AsyncClient, second_instance: httpx.AsyncClient
) -> None:
    await set_up_household(committed_client)
    await _sign_in_on(second_instance)
    before = (await second_instance.get("/api/v1/me/state")).json()
    assert before["user"]["display_name"] == "ada"
    patched = await committed_client.patch("/api/v1/me", json={"display_name": "Ada Lovelace"})
    assert patched.status_code == 200
    assert patched.json()["display_name"] == "Ada Lovelace"
    after = (await second_instance.get("/api/v1/me/state")).json()
    assert after["user"]["display_name"] == "Ada Lovelace"
    household = (await second_instance.get("/api/v1/household")).json()
    assert household["members"][0]["display_name"] == "Ada Lovelace"
