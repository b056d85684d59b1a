"""No answer of the JSON API is kept by a cache: every route under /api/v1/, whatever its
status, says `Cache-Control: no-store` (the rule and why: lifeworld/headers.py). Routes come
from the app itself (tests/security/routes.py), so a new route is checked by default."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from lifeworld.headers import API_PREFIX
from lifeworld.web.assets import LONG_CACHE
from tests.integration.factories import set_up_household
from tests.security.routes import ROUTES, Route

API_ROUTES = [r for r in ROUTES if r.path.startswith(API_PREFIX)]
# A value for each path parameter: nothing of the kind exists, so an unsafe call changes nothing.
NOWHERE: dict[str, Any] = {"place_id": "local:999999999", "task_id": "no-such-task"}
KNOWN_PARAMS = {
    "activity_id", "engine_id", "loadout_id", "investment_id", "saved_id", "token_id", "place_id",
    "user_id", "task_id", "invite_id",
}  # fmt: skip


def _url(route: Route) -> str:
    unknown = set(route.params) - KNOWN_PARAMS
    if unknown:
        pytest.fail(f"{route} takes {unknown}: give it a value in NOWHERE or KNOWN_PARAMS")
    return route.url(**{p: NOWHERE.get(p, 10**12) for p in route.params})


def _stored(answer: httpx.Response) -> str:
    return f"{answer.request.method} {answer.request.url.path} → {answer.status_code}"


async def test_every_api_route_answers_no_store(client: httpx.AsyncClient) -> None:
    await set_up_household(client)
    assert len(API_ROUTES) > 60, "the discovery found too few routes"
    reads = [r for r in API_ROUTES if r.method == "GET"]
    writes = [r for r in API_ROUTES if r.method != "GET"]
    answers = []
    for route in reads:  # first, while signed in: the personal answers themselves
        answer = await client.get(_url(route))
        if route.signed_in and not route.params:
            assert answer.status_code == 200, f"{route}: {answer.text[:200]}"
        answers.append(answer)
    for route in writes:  # refused, mostly: an empty body, objects that do not exist
        answers.append(await client.request(route.method, _url(route), json={}))
    statuses = {a.status_code for a in answers}
    assert {200, 404, 422} <= statuses, statuses
    missing = [_stored(a) for a in answers if a.headers.get("cache-control") != "no-store"]
    assert missing == []


async def test_a_personal_write_answers_no_store_too(client: httpx.AsyncClient) -> None:
    await set_up_household(client)
    for answer in (
        await client.post("/api/v1/me/activities", json={"type": "REST"}),
        await client.post("/api/v1/me/engines", json={"type": "CAREER", "name": "Job"}),
        await client.post("/api/v1/auth/tokens", json={"name": "script"}),  # a secret, once
    ):
        assert answer.status_code == 201, answer.text
        assert answer.headers["cache-control"] == "no-store", _stored(answer)


async def test_files_outside_the_api_keep_their_own(client: httpx.AsyncClient) -> None:
    swagger = await client.get("/api/docs/swagger-ui.css")  # under /api/, not the JSON API
    assert swagger.status_code == 200
    assert swagger.headers["cache-control"] == LONG_CACHE
