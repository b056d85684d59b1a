"""A JSON body that names a key twice in one object is malformed (400 `malformed_json`) on
every route that takes a JSON body: at the top level, nested, inside a list. Python would keep
the last value, other parsers the first (lifeworld/json_body.py). The routes come from the
app's own OpenAPI document, so a new body route is covered by default."""

from __future__ import annotations

import httpx
import pytest

from lifeworld.json_body import decode
from tests.integration.factories import set_up_household
from tests.security.routes import openapi

JSON = {"content-type": "application/json"}


def json_operations() -> list[tuple[str, str]]:
    """(method, path) of every operation the OpenAPI document gives a JSON request body."""
    found = []
    for path, item in openapi()["paths"].items():
        for method, operation in item.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                found.append((method.upper(), path))
    return sorted(found)


OPERATIONS = json_operations()
PARAMS = {"engine_id": 10**12, "loadout_id": 10**12, "investment_id": 10**12, "saved_id": 10**12,
          "user_id": 10**12, "task_id": "no-such-task"}  # fmt: skip
BODIES = {
    "top level": b'{"type": "REST", "name": "a", "type": "CUSTOM"}',
    "nested": b'{"type": "REST", "custom_xp": {"overall": 1, "overall": 900000}}',
    "in a list": b'{"items": [{"a": 1}, {"b": 2, "b": 3}]}',
    "same value twice": b'{"name": "x", "name": "x"}',
}


def test_the_routes_with_json_bodies_are_found() -> None:
    names = {f"{method} {path}" for method, path in OPERATIONS}
    assert {
        "POST /api/v1/me/activities",  # read by its handler (routes.read_json)
        "POST /api/v1/me/import",
        "POST /api/v1/auth/login",
        "PUT /api/v1/admin/players/{user_id}",
    } <= names
    assert len(OPERATIONS) > 25


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
async def test_a_repeated_key_is_malformed_everywhere(
    client: httpx.AsyncClient, method: str, path: str
) -> None:
    await set_up_household(client)
    url = path.format(**{k: v for k, v in PARAMS.items() if f"{{{k}}}" in path})
    for name, body in BODIES.items():
        answer = await client.request(method, url, content=body, headers=JSON)
        assert answer.status_code == 400, f"{name}: {answer.status_code} {answer.text}"
        error = answer.json()["error"]
        assert error["code"] == "malformed_json", name
        assert "appears twice in one object" in error["message"], name


async def test_the_message_names_the_key(client: httpx.AsyncClient) -> None:
    await set_up_household(client)
    answer = await client.post(
        "/api/v1/me/engines", content=b'{"name": "a", "name": "b", "type": "CAREER"}', headers=JSON
    )
    assert answer.json()["error"]["message"] == (
        "The request body is not valid JSON: the key 'name' appears twice in one object."
    )


def test_the_decoder_reads_everything_else_as_json_does() -> None:
    document = b'{"a": [1, {"b": null, "c": "\\u00e9"}], "d": {"a": 2}, "e": 1.5e3}'
    assert decode(document) == {"a": [1, {"b": None, "c": "é"}], "d": {"a": 2}, "e": 1500.0}
    assert decode("[]") == [] and decode('"x"') == "x"
