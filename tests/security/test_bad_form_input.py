"""Bad input through the pages' forms (urlencoded, as a browser sends it) and bodies that are not
JSON sent to the API: each gets its status, a page or the API's error shape, never a traceback,
and the database stays as it was."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import quote, urlencode

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from lifeworld.clock import clock
from tests.integration.factories import set_up_household
from tests.integration.pages import field_error, form_error, hidden_fields, ready_player
from tests.security.test_bad_input import T0, fingerprint

FORM = {"content-type": "application/x-www-form-urlencoded"}
CUSTOM = {"type": "CUSTOM", "xp_meaning": "10", "description": "ok"}


@pytest.fixture
async def player(client: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    clock.pin(T0)
    await set_up_household(client)
    await ready_player(client)
    yield client


async def _hidden(client: httpx.AsyncClient) -> dict[str, str]:
    page = await client.get("/activities")
    assert page.status_code == 200
    return hidden_fields(page.text, "/activities")


# name: (fields replacing CUSTOM's, raw bytes appended to the body, status, field with the message)
FORM_CASES: dict[str, tuple[dict[str, str], bytes, int, str]] = {
    "XP of 5000 digits": ({"xp_meaning": "9" * 5000}, b"", 422, "xp_meaning"),
    "XP as 1e999": ({"xp_meaning": "1e999"}, b"", 422, "xp_meaning"),
    "negative XP": ({"xp_meaning": "-5"}, b"", 422, "xp_meaning"),
    "gold past a million": ({"gold": "1000000.01"}, b"", 422, "gold"),
    "gold with 3 decimals": ({"gold": "1.005"}, b"", 422, "gold"),
    "oxygen as NaN": ({"oxygen": "NaN"}, b"", 422, "oxygen"),
    "description of 501 characters": ({"description": "d" * 501}, b"", 422, "description"),
    "a NUL in the description": ({"description": "a\x00b"}, b"", 422, "description"),
    "an unknown activity type": ({"type": "HACK"}, b"", 422, ""),
}


@pytest.mark.parametrize("case", sorted(FORM_CASES))
async def test_a_bad_form_shows_the_page_again_with_the_message_and_writes_nothing(
    player: httpx.AsyncClient, connection: AsyncConnection, case: str
) -> None:
    fields, _, status, field = FORM_CASES[case]
    hidden = await _hidden(player)
    before = await fingerprint(connection)
    answer = await player.post("/activities", data={**hidden, **CUSTOM, **fields})
    assert answer.status_code == status, answer.text[:300]
    assert answer.headers["content-type"].startswith("text/html")
    assert "Traceback" not in answer.text
    field_id = "f-" + field.replace("_", "-")
    message = field_error(answer.text, field_id) if field else form_error(answer.text)
    assert message, f"no message next to {field or 'the form'}"
    assert await fingerprint(connection) == before


async def test_a_form_over_the_limit_is_a_413_page(
    player: httpx.AsyncClient, connection: AsyncConnection
) -> None:
    hidden = await _hidden(player)
    before = await fingerprint(connection)
    body = urlencode({**hidden, **CUSTOM, "description": "x" * (1024 * 1024)})
    answer = await player.post("/activities", content=body.encode(), headers=FORM)
    assert answer.status_code == 413
    assert answer.headers["content-type"].startswith("text/html")
    assert "1 MiB" in answer.text and "Traceback" not in answer.text
    assert await fingerprint(connection) == before


async def test_invalid_utf8_in_a_form_is_stored_as_replacement_characters(
    player: httpx.AsyncClient,
) -> None:
    """Browsers never send it; when something does, the bytes become U+FFFD, never a crash."""
    hidden = await _hidden(player)
    body = urlencode({**hidden, **CUSTOM, "description": "PLACEHOLDER"})
    raw = body.replace("PLACEHOLDER", "%FF%FE%C3%28").encode()
    answer = await player.post("/activities", content=raw, headers=FORM)
    assert answer.status_code == 303, answer.text[:300]
    latest = (await player.get("/api/v1/me/activities?limit=1")).json()["items"][0]
    assert latest["description"] == "\ufffd\ufffd\ufffd("


async def test_a_form_without_its_csrf_token_is_refused(
    player: httpx.AsyncClient, connection: AsyncConnection
) -> None:
    hidden = await _hidden(player)
    hidden.pop("csrf_token")
    before = await fingerprint(connection)
    answer = await player.post("/activities", data={**hidden, **CUSTOM})
    assert answer.status_code == 403
    assert answer.headers["content-type"].startswith("text/html")
    assert await fingerprint(connection) == before


@pytest.mark.parametrize(
    "content_type",
    ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=b", None],
)
async def test_an_api_body_that_is_not_sent_as_json_is_malformed(
    player: httpx.AsyncClient, connection: AsyncConnection, content_type: str | None
) -> None:
    before = await fingerprint(connection)
    body = b"type=REST" if content_type and "urlencoded" in content_type else b'{"type": "REST"}'
    headers = {"content-type": content_type} if content_type else {}
    answer = await player.post("/api/v1/me/activities", content=body, headers=headers)
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["code"] == "malformed_json"
    assert "Content-Type: application/json" in error["message"]
    assert await fingerprint(connection) == before


async def test_a_query_of_absurd_size_is_a_422_naming_it(player: httpx.AsyncClient) -> None:
    answer = await player.get("/api/v1/me/activities?limit=" + quote("9" * 5000))
    assert answer.status_code == 422
    assert answer.json()["error"]["details"][0]["field"] == "limit"
