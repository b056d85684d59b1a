"""Bad input of every category gets its documented status and leaves the database as it was;
SQL and HTML in every free-text field are stored as text and rendered escaped."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from markupsafe import escape
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from lifeworld.clock import clock
from lifeworld.db.models import metadata
from tests.integration.factories import PASSWORD, set_up_household
from tests.security.players import FIRST_TASK
from tests.security.routes import ROUTES, free_text_fields

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
JSON = {"content-type": "application/json"}
# Rows that change on every request by design (sign-in bookkeeping, caches), not user data.
VOLATILE = {
    "sessions",
    "api_tokens",
    "login_failures",
    "cache_entries",
    "idempotency_keys",
    "form_submissions",
    "place_provider_slots",
}


async def fingerprint(connection: AsyncConnection) -> dict[str, str]:
    """A digest of every table's rows: equal fingerprints mean nothing was written."""
    digests = {}
    for name in sorted(set(metadata.tables) - VOLATILE):
        query = (
            f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM \"{name}\" t"
        )
        digests[name] = (await connection.execute(text(query))).scalar_one()
    return digests


@pytest.fixture
async def player(client: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    clock.pin(T0)
    await set_up_household(client)
    assert (
        await client.post("/api/v1/me/engines", json={"type": "CAREER", "name": "J"})
    ).is_success
    yield client


def _nested(depth: int) -> bytes:
    return b'{"type": "REST", "description": ' + b"[" * depth + b"]" * depth + b"}"


CASES: dict[str, tuple[str, str, bytes, int, str]] = {
    # name: (method, path, raw body, status, code)
    "body over 1 MiB": (
        "POST",
        "/api/v1/me/activities",
        b'{"type": "REST", "description": "' + b"x" * (1024 * 1024) + b'"}',
        413,
        "body_too_large",
    ),
    "import over its 64 MiB": (
        "POST",
        "/api/v1/me/import",
        b'{"format": "' + b"x" * (64 * 1024 * 1024) + b'"}',
        413,
        "body_too_large",
    ),
    "nested 100 000 deep": (
        "POST",
        "/api/v1/me/activities",
        _nested(100_000),
        400,
        "malformed_json",
    ),
    "nested 100 deep": ("POST", "/api/v1/me/activities", _nested(100), 422, "invalid_field"),
    "invalid UTF-8": (
        "POST",
        "/api/v1/me/engines",
        b'{"type": "CAREER", "name": "\xff\xfe\xc3("}',
        400,
        "malformed_json",
    ),
    "truncated JSON": (
        "POST",
        "/api/v1/me/engines",
        b'{"type": "CAREER", "na',
        400,
        "malformed_json",
    ),
    "integer of 5000 digits": (
        "POST",
        "/api/v1/me/activities",
        b'{"type": "CUSTOM", "custom_xp": {"overall": ' + b"9" * 5000 + b"}}",
        400,
        "malformed_json",
    ),
    "integer of 400 digits": (
        "POST",
        "/api/v1/me/activities",
        b'{"type": "CUSTOM", "custom_xp": {"overall": ' + b"9" * 400 + b"}}",
        422,
        "invalid_field",
    ),
    "number 1e999": (
        "POST",
        "/api/v1/me/activities",
        b'{"type": "CUSTOM", "resource_changes": {"gold": 1e999}}',
        422,
        "invalid_field",
    ),
    "NaN": (
        "POST",
        "/api/v1/me/engines",
        b'{"type": "CAREER", "name": "J", "monthly_output": NaN}',
        422,
        "invalid_field",
    ),
    "decimal string 1e400": (
        "POST",
        "/api/v1/me/investments",
        b'{"type": "CASH", "name": "x", "amount": "1e400"}',
        422,
        "invalid_field",
    ),
    "id past bigint": ("DELETE", "/api/v1/me/engines/" + "9" * 30, b"", 422, "invalid_field"),
    "negative investment": (
        "POST",
        "/api/v1/me/investments",
        b'{"type": "CASH", "name": "x", "amount": "-0.01"}',
        422,
        "invalid_field",
    ),
    "negative sleep": (
        "POST",
        "/api/v1/me/sleep",
        b'{"date": "2026-03-02", "hours": "-1", "quality": 5}',
        422,
        "invalid_field",
    ),
    "negative boost": (
        "POST",
        "/api/v1/me/boosts",
        b'{"type": "food", "amount": -5, "duration_min": 10, "decay_per_hour": "1"}',
        422,
        "invalid_field",
    ),
    "negative engine output": (
        "POST",
        "/api/v1/me/engines",
        b'{"type": "CAREER", "name": "J", "monthly_output": "-100"}',
        422,
        "invalid_field",
    ),
    "spending past the limit": (
        "POST",
        "/api/v1/me/activities",
        b'{"type": "CUSTOM", "resource_changes": {"gold": "-1000000.01"}}',
        422,
        "invalid_field",
    ),
    "NUL in a name": (
        "POST",
        "/api/v1/me/engines",
        b'{"type": "CAREER", "name": "a\\u0000b"}',
        422,
        "invalid_field",
    ),
    "lone surrogate": (
        "POST",
        "/api/v1/me/engines",
        b'{"type": "CAREER", "name": "a\\ud800b"}',
        422,
        "invalid_field",
    ),
    "a list for an object": ("POST", "/api/v1/me/activities", b"[1, 2, 3]", 422, "invalid_field"),
    # Found by Schemathesis (500 examples): pydantic reads false as 0 where a number is asked.
    "false for an hour": (
        "PATCH",
        "/api/v1/me",
        b'{"day_start_hour": false}',
        422,
        "invalid_field",
    ),
    "true for XP": (
        "POST",
        "/api/v1/me/activities",
        b'{"type": "CUSTOM", "custom_xp": {"overall": true}}',
        422,
        "invalid_field",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
async def test_bad_input_is_refused_with_its_status_and_writes_nothing(
    player: httpx.AsyncClient, connection: AsyncConnection, case: str
) -> None:
    method, path, body, status, code = CASES[case]
    before = await fingerprint(connection)
    answer = await player.request(method, path, content=body, headers=JSON)
    assert answer.status_code == status, answer.text[:300]
    assert answer.json()["error"]["code"] == code
    assert "Traceback" not in answer.text
    assert await fingerprint(connection) == before


async def test_a_body_streamed_past_the_limit_without_a_length_is_refused(
    player: httpx.AsyncClient, connection: AsyncConnection
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"type": "REST", "description": "'
        for _ in range(20):
            yield b"y" * 65536
        yield b'"}'

    before = await fingerprint(connection)
    answer = await player.post("/api/v1/me/activities", content=chunks(), headers=JSON)
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "body_too_large"
    assert await fingerprint(connection) == before


SQL = "x'); DROP TABLE users; -- \" OR 1=1 --"
MARKUP = "<script>alert('pwned')</script><img src=x onerror=alert(1)>{{7*7}}${7*7}%(s)s"


def _bodies(payload: str, ids: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any], int]]:
    """(method, url, body, success status) for every free-text field, carrying `payload`."""
    today = "2026-03-30"
    yield "PATCH", "/api/v1/me", {"display_name": payload}, 200
    yield "POST", "/api/v1/auth/tokens", {"name": payload}, 201
    yield "POST", "/api/v1/me/activities/preview", {"type": "CUSTOM", "description": payload}, 200
    yield "POST", "/api/v1/me/activities", {"type": "CUSTOM", "description": payload}, 201
    yield "POST", "/api/v1/me/season", {"season": "SUMMER", "reason": payload}, 200
    engine = {"type": "CAREER", "name": payload, "description": payload}
    yield "POST", "/api/v1/me/engines", engine, 201
    yield "PATCH", f"/api/v1/me/engines/{ids['engine']}", engine, 200
    sleep = {"date": today, "hours": "7", "quality": 7, "notes": payload}
    yield "POST", "/api/v1/me/sleep", sleep, 201
    yield "POST", f"/api/v1/me/training/tasks/{FIRST_TASK}/complete", {"notes": payload}, 200
    yield "POST", "/api/v1/me/loadouts", {"name": payload, "slots": {}}, 201
    yield "PATCH", f"/api/v1/me/loadouts/{ids['loadout']}", {"name": payload}, 200
    investment = {"type": "CASH", "name": payload, "amount": "0"}
    yield "POST", "/api/v1/me/investments", investment, 201
    yield "PATCH", f"/api/v1/me/investments/{ids['investment']}", {"name": payload}, 200
    yield "POST", "/api/v1/places/search", {"description": payload, "city": payload}, 200
    place = {"name": payload, "category": "cafe", "city": payload, "country": payload}
    yield "POST", "/api/v1/places", {**place, "description": payload}, 201
    saved = {"place_id": ids["unsaved_place"], "notes": payload}
    yield "POST", "/api/v1/me/saved-places", saved, 201
    yield "PATCH", f"/api/v1/me/saved-places/{ids['saved']}", {"notes": payload}, 200


COVERED = {
    "PATCH /api/v1/me": {"display_name", "timezone"},  # the timezone is checked against IANA
    "PATCH /api/v1/household": {"currency"},  # an ISO 4217 code from Babel's list, else 422
    "POST /api/v1/auth/tokens": {"name"},
    "POST /api/v1/me/activities/preview": {"description"},
    "POST /api/v1/me/activities": {"description"},
    "POST /api/v1/me/season": {"reason"},
    "POST /api/v1/me/engines": {"name", "description"},
    "PATCH /api/v1/me/engines/{engine_id}": {"name", "description"},
    "POST /api/v1/me/sleep": {"notes"},
    "POST /api/v1/me/training/tasks/{task_id}/complete": {"notes"},
    "POST /api/v1/me/loadouts": {"name"},
    "PATCH /api/v1/me/loadouts/{loadout_id}": {"name"},
    "POST /api/v1/me/investments": {"name"},
    "PATCH /api/v1/me/investments/{investment_id}": {"name"},
    "POST /api/v1/places/search": {"description", "city"},
    "POST /api/v1/places": {"name", "city", "country", "description"},
    "POST /api/v1/me/saved-places": {"notes"},
    "PATCH /api/v1/me/saved-places/{saved_id}": {"notes"},
    # Sign-in and account fields: tried below (refused as credentials, never as an error).
    "POST /api/v1/setup": {"household_name", "password", "timezone"},
    "POST /api/v1/auth/login": {"login", "password"},
    "POST /api/v1/auth/register": {"invite_code", "password", "timezone"},
    "POST /api/v1/auth/password": {"current_password", "new_password"},
    "POST /api/v1/auth/password-reset": {"token", "new_password"},
}


def test_every_free_text_field_is_covered() -> None:
    fields = free_text_fields()
    missing = {
        op: sorted(names - COVERED.get(op, set()))
        for op, names in fields.items()
        if names - COVERED.get(op, set())
    }
    assert missing == {}, "add these fields to COVERED and _bodies"


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


async def _ids(client: httpx.AsyncClient) -> dict[str, Any]:
    engine = (await client.post("/api/v1/me/engines", json={"type": "CAREER", "name": "E"})).json()
    await client.get("/api/v1/me/loadouts")
    loadout = (await client.post("/api/v1/me/loadouts", json={"name": "L", "slots": {}})).json()
    invest = await client.post(
        "/api/v1/me/investments", json={"type": "CASH", "name": "I", "amount": "0"}
    )
    place = (
        await client.post("/api/v1/places", json={"name": "P", "category": "cafe", "city": "York"})
    ).json()
    saved = (await client.post("/api/v1/me/saved-places", json={"place_id": place["id"]})).json()
    other = await client.post(
        "/api/v1/places", json={"name": "Q", "category": "park", "city": "Hull"}
    )
    return {
        "unsaved_place": other.json()["id"],
        "engine": engine["id"],
        "loadout": loadout["id"],
        "investment": invest.json()["investment"]["id"],
        "place": f"local:{int(place['id'].removeprefix('local:'))}",
        "saved": saved["id"],
    }


@pytest.mark.parametrize("payload", [SQL, MARKUP], ids=["sql", "html"])
async def test_sql_and_html_are_stored_as_text_and_rendered_escaped(
    client: httpx.AsyncClient, new_client: Any, payload: str
) -> None:
    clock.pin(T0)
    await set_up_household(client, household_name=payload[:80])
    token = (await client.post("/api/v1/auth/tokens", json={"name": "t"})).json()["token"]
    client.cookies.clear()
    client.headers["Authorization"] = f"Bearer {token}"  # a session would idle out in 28 days
    ids = await _ids(client)
    clock.pin(T0 + timedelta(days=28))  # long enough in spring to change season
    for method, url, body, status in _bodies(payload, ids):
        answer = await client.request(method, url, json=body)
        assert answer.status_code == status, f"{method} {url}: {answer.text[:300]}"
        if url != "/api/v1/places/search":
            assert payload in set(_strings(answer.json())), f"{method} {url}"
    export = json.loads((await client.get("/api/v1/me/export")).content)
    assert sum(payload == s for s in _strings(export)) >= 10
    household = (await client.get("/api/v1/household")).json()
    assert household["name"] == payload[:80]
    for body in (
        {"login": payload, "password": payload},
        {"invite_code": payload, "username": "eve", "email": "e@x.org", "password": "p" * 12},
        {"token": payload, "new_password": payload + " long enough"},
    ):
        path = (
            "/api/v1/auth/login"
            if "login" in body
            else "/api/v1/auth/register"
            if "invite_code" in body
            else "/api/v1/auth/password-reset"
        )
        refused = await new_client().post(path, json=body)
        assert refused.status_code in (401, 422), refused.text
    zone = await client.patch("/api/v1/me", json={"timezone": payload})
    assert zone.status_code == 422  # timezones are checked against the IANA list
    wrong = await client.post(
        "/api/v1/auth/password",
        json={"current_password": payload, "new_password": payload + " long enough"},
    )
    assert wrong.status_code == 422
    browser = new_client()
    signed = await browser.post("/api/v1/auth/login", json={"login": "ada", "password": PASSWORD})
    assert signed.status_code == 200
    pages = [r.path for r in ROUTES if not r.is_api and r.method == "GET" and not r.params]
    shown = 0
    for page in pages:
        answer = await browser.get(page)
        if answer.status_code != 200 or "text/html" not in answer.headers.get("content-type", ""):
            continue
        assert "<script>alert(" not in answer.text, page
        assert "onerror=alert(1)>" not in answer.text, page
        shown += str(escape(payload)) in answer.text  # as the templates escape it
    assert shown >= 1, "no page shows the player's own text (escaped)"
