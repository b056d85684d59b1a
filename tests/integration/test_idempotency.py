"""`Idempotency-Key`: a retried or double-sent API write records once, and replays its answer."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from lifeworld.clock import clock
from tests.integration.factories import PASSWORD, invite_code, join, set_up_household

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
NewClient = Callable[[], httpx.AsyncClient]
# LEARNING costs energy (REST is free), so a double charge would show in the state.
REST = {"type": "LEARNING", "description": "a chapter"}


def keyed(key: str) -> dict[str, str]:
    return {"Idempotency-Key": key}


async def _bearer(client: httpx.AsyncClient) -> None:
    token = (await client.post("/api/v1/auth/tokens", json={"name": "script"})).json()["token"]
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)
    client.headers["Authorization"] = f"Bearer {token}"


async def _activities(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = (await client.get("/api/v1/me/activities")).json()["items"]
    return items


async def test_a_retry_replays_the_first_answer_and_records_once(
    client: httpx.AsyncClient,
) -> None:
    clock.pin(T0)
    await set_up_household(client)
    await _bearer(client)
    first = await client.post("/api/v1/me/activities", json=REST, headers=keyed("k-1"))
    assert first.status_code == 201
    assert "idempotent-replayed" not in first.headers
    clock.pin(T0 + timedelta(minutes=3))  # a retry later on: the answer must not be recomputed
    again = await client.post("/api/v1/me/activities", json=REST, headers=keyed("k-1"))
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["content-type"] == "application/json"
    assert again.content == first.content
    assert len(await _activities(client)) == 1
    state = (await client.get("/api/v1/me/state")).json()
    assert state["energy"]["stored"] == 100 - 18  # charged once: 20 × 0.9 (The Balanced)
    other = await client.post("/api/v1/me/activities", json=REST, headers=keyed("k-2"))
    assert other.status_code == 201 and "idempotent-replayed" not in other.headers
    assert len(await _activities(client)) == 2


async def test_cookie_requests_replay_too_but_only_with_the_csrf_token(
    client: httpx.AsyncClient,
) -> None:
    clock.pin(T0)
    await set_up_household(client)
    first = await client.post("/api/v1/me/activities", json=REST, headers=keyed("form-1"))
    assert first.status_code == 201
    csrf = client.headers.pop("X-CSRF-Token")
    refused = await client.post("/api/v1/me/activities", json=REST, headers=keyed("form-1"))
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "csrf_failed"  # no replay without the token
    replay = await client.post(
        "/api/v1/me/activities", json=REST, headers={**keyed("form-1"), "X-CSRF-Token": csrf}
    )
    assert replay.status_code == 201 and replay.content == first.content
    client.headers["X-CSRF-Token"] = csrf
    assert len(await _activities(client)) == 1


async def test_a_key_reused_for_another_request_is_refused(client: httpx.AsyncClient) -> None:
    clock.pin(T0)
    await set_up_household(client)
    await _bearer(client)
    assert (await client.post("/api/v1/me/activities", json=REST, headers=keyed("k"))).is_success
    other_body = await client.post(
        "/api/v1/me/activities", json={"type": "EXERCISE"}, headers=keyed("k")
    )
    assert other_body.status_code == 422
    error = other_body.json()["error"]
    assert error["code"] == "idempotency_key_reused"
    assert error["details"] == [{"field": "Idempotency-Key", "reason": error["message"]}]
    other_path = await client.post(
        "/api/v1/me/engines", json={"type": "CAREER", "name": "Job"}, headers=keyed("k")
    )
    assert other_path.status_code == 422
    assert [a["type"] for a in await _activities(client)] == ["LEARNING"]
    assert (await client.get("/api/v1/me/engines")).json() == []


async def test_keys_belong_to_one_user(client: httpx.AsyncClient, new_client: NewClient) -> None:
    clock.pin(T0)
    await set_up_household(client)
    bob = new_client()
    await join(bob, await invite_code(client), username="bob")
    ada_answer = await client.post("/api/v1/me/activities", json=REST, headers=keyed("same"))
    bob_answer = await bob.post("/api/v1/me/activities", json=REST, headers=keyed("same"))
    assert ada_answer.status_code == bob_answer.status_code == 201
    assert "idempotent-replayed" not in bob_answer.headers
    assert bob_answer.json()["activity"]["id"] != ada_answer.json()["activity"]["id"]
    assert len(await _activities(bob)) == 1


async def test_a_refused_request_keeps_no_key_and_its_retry_runs(
    client: httpx.AsyncClient,
) -> None:
    clock.pin(T0)
    await set_up_household(client)
    await _bearer(client)
    for _ in range(3):  # 3 × 30 energy: 10 left
        assert (
            await client.post("/api/v1/me/activities", json={"type": "WORK_PROJECT"})
        ).is_success
    work = {"type": "WORK_PROJECT"}
    refused = await client.post("/api/v1/me/activities", json=work, headers=keyed("w"))
    assert refused.status_code == 409
    sleep = {"date": "2026-03-02", "hours": "8", "quality": 9}
    assert (await client.post("/api/v1/me/sleep", json=sleep)).status_code == 201
    retried = await client.post("/api/v1/me/activities", json=work, headers=keyed("w"))
    assert retried.status_code == 201, retried.text  # done now, not a replay of the 409
    assert "idempotent-replayed" not in retried.headers
    invalid = await client.post("/api/v1/me/activities", json={"type": "NAP"}, headers=keyed("v"))
    assert invalid.status_code == 422
    valid = await client.post(
        "/api/v1/me/engines", json={"type": "CAREER", "name": "Job"}, headers=keyed("v")
    )
    assert valid.status_code == 201
    assert len(await _activities(client)) == 4


async def test_a_delete_replays_its_204(client: httpx.AsyncClient) -> None:
    clock.pin(T0)
    await set_up_household(client)
    await _bearer(client)
    engine = (await client.post("/api/v1/me/engines", json={"type": "CAREER", "name": "J"})).json()
    path = f"/api/v1/me/engines/{engine['id']}"
    first = await client.delete(path, headers=keyed("d"))
    again = await client.delete(path, headers=keyed("d"))
    assert (first.status_code, again.status_code) == (204, 204)
    assert again.headers["idempotent-replayed"] == "true"
    assert (await client.delete(path, headers=keyed("d2"))).status_code == 404


async def test_keys_expire_after_a_day_and_are_swept(
    client: httpx.AsyncClient, connection: AsyncConnection
) -> None:
    clock.pin(T0)
    await set_up_household(client)
    await _bearer(client)
    assert (await client.post("/api/v1/me/activities", json=REST, headers=keyed("old"))).is_success
    clock.pin(T0 + timedelta(hours=23, minutes=59))
    replay = await client.post("/api/v1/me/activities", json=REST, headers=keyed("old"))
    assert replay.headers.get("idempotent-replayed") == "true"
    clock.pin(T0 + timedelta(hours=24, minutes=1))
    fresh = await client.post(
        "/api/v1/me/activities", json={"type": "EXERCISE"}, headers=keyed("old")
    )
    assert fresh.status_code == 201 and "idempotent-replayed" not in fresh.headers
    assert (await client.post("/api/v1/me/activities", json=REST, headers=keyed("a"))).is_success
    clock.pin(T0 + timedelta(hours=49))
    assert (await client.post("/api/v1/me/activities", json=REST, headers=keyed("b"))).is_success
    keys = (await connection.execute(text("SELECT key FROM idempotency_keys ORDER BY key"))).all()
    assert [k for (k,) in keys] == ["b"]  # the expired ones went with the next new key


async def test_bad_keys_are_422(client: httpx.AsyncClient) -> None:
    clock.pin(T0)
    await set_up_household(client)
    for key in (b"x" * 256, "ä-key".encode(), b"two words"):
        response = await client.post(
            "/api/v1/me/activities", json=REST, headers={"Idempotency-Key": key}
        )
        assert response.status_code == 422, key
        assert response.json()["error"]["details"][0]["field"] == "Idempotency-Key"
    assert await _activities(client) == []


async def test_sign_in_is_never_replayed(client: httpx.AsyncClient, new_client: NewClient) -> None:
    clock.pin(T0)
    await set_up_household(client)
    browser = new_client()
    body = {"login": "ada", "password": PASSWORD}
    first = await browser.post("/api/v1/auth/login", json=body, headers=keyed("login"))
    second = await browser.post("/api/v1/auth/login", json=body, headers=keyed("login"))
    assert first.status_code == second.status_code == 200
    assert "idempotent-replayed" not in second.headers
    assert first.json()["csrf_token"] != second.json()["csrf_token"]


async def test_ten_identical_requests_at_once_record_once(
    committed_app: FastAPI, committed_client: httpx.AsyncClient
) -> None:
    clock.pin(T0)
    await set_up_household(committed_client)
    await _bearer(committed_client)
    answers = await asyncio.gather(
        *(
            committed_client.post("/api/v1/me/activities", json=REST, headers=keyed("tap"))
            for _ in range(10)
        )
    )
    assert [a.status_code for a in answers] == [201] * 10
    assert len({a.content for a in answers}) == 1
    assert sum(a.headers.get("idempotent-replayed") == "true" for a in answers) == 9
    assert len(await _activities(committed_client)) == 1
    state = (await committed_client.get("/api/v1/me/state")).json()
    assert state["energy"]["stored"] == 82  # charged once: 100 − 20 × 0.9
