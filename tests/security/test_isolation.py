"""Every id-taking API route, tried on the victim's objects by everyone else: 404, never a leak.

The routes come from the app itself (tests/security/routes.py): a new route with a path
parameter is attacked automatically, and a parameter this suite does not know fails loudly.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from lifeworld.clock import clock
from tests.integration.factories import PASSWORD
from tests.security.conftest import HOUSEHOLD, PRIVATE, T0, World
from tests.security.players import FIRST_TASK
from tests.security.routes import ROUTES, Route

# Who owns what a path parameter names: one player, the household, or nobody (the catalogue).
SCOPES = {
    "activity_id": "player",
    "engine_id": "player",
    "loadout_id": "player",
    "investment_id": "player",
    "saved_id": "player",
    "token_id": "player",
    "place_id": "household",
    "user_id": "household_admin",
    "invite_id": "household_admin",
    "task_id": "catalogue",
}
# A valid body for each unsafe id route, so validation never answers before ownership does.
BODIES: dict[str, dict[str, Any] | None] = {
    "PATCH /api/v1/me/engines/{engine_id}": {"name": "taken over", "status": "INACTIVE"},
    "PATCH /api/v1/me/loadouts/{loadout_id}": {"name": "taken over"},
    "PATCH /api/v1/me/investments/{investment_id}": {"name": "taken over", "amount": "0"},
    "PATCH /api/v1/me/saved-places/{saved_id}": {"notes": "taken over", "favorite": False},
    "PUT /api/v1/admin/players/{user_id}": {"resources": {"gold": "0"}, "season": "WINTER"},
    "POST /api/v1/me/training/tasks/{task_id}/complete": {"notes": "mine"},
    "POST /api/v1/me/loadouts/{loadout_id}/activate": None,
    "POST /api/v1/household/members/{user_id}/hand-over": None,
    "POST /api/v1/household/members/{user_id}/password-reset": None,
}
# (name, same household as the victim, household admin)
ATTACKERS = {
    "sam": (True, False),
    "ada": (True, True),
    "grace": (False, True),
    "hal": (False, False),
}
ID_ROUTES = [r for r in ROUTES if r.is_api and r.params]
# Pages that act on an object by id (a catch-all `{part}` only picks a section of a page).
PAGE_ID_ROUTES = [r for r in ROUTES if not r.is_api and set(r.params) - {"part"}]
NOWHERE = {"int": 10**12, "place_id": "local:999999999", "task_id": "no-such-task"}


def victim_value(world: World, param: str) -> Any:
    victim = world.victim
    values = {
        "activity_id": victim.activity_id,
        "engine_id": victim.engine_ids[0],
        "loadout_id": victim.loadout_id,
        "investment_id": victim.investment_id,
        "saved_id": victim.saved_place_id,
        "token_id": victim.token_id,
        "place_id": victim.household_place_id,
        "user_id": victim.user_id,
        "task_id": FIRST_TASK,
        "invite_id": world.extra["invite_id"],
    }
    return values[param]


def nowhere_value(param: str) -> Any:
    return NOWHERE.get(param, NOWHERE["int"])


def expected(route: Route, attacker: str) -> str:
    """What the attacker must get: 404, 403, `own`, or `shared` where the access is legitimate."""
    unknown = [p for p in route.params if p not in SCOPES]
    if unknown:
        pytest.fail(f"{route} takes {unknown}: say in SCOPES who owns it and add a victim value")
    same_household, is_admin = ATTACKERS[attacker]
    scopes = {SCOPES[p] for p in route.params}
    if route.admin_only and not is_admin:
        return "403"
    if "household_admin" in scopes or "household" in scopes:
        return "shared" if same_household else "404"
    if scopes == {"catalogue"}:
        return "own"  # acts on the caller's own player; the victim must not change
    return "404"


async def send(client: httpx.AsyncClient, route: Route, url: str) -> httpx.Response:
    key = str(route)
    if route.method in ("POST", "PUT", "PATCH") and key not in BODIES:
        pytest.fail(f"{route}: add a valid body to BODIES")
    body = BODIES.get(key)
    return await client.request(route.method, url, json=body)


# Every (route, attacker) pair that is an attack; household members sharing the household's
# places, and its admin acting on members, are legitimate and not in the list.
ATTACKS = [
    pytest.param(route, attacker, id=f"{route}-{attacker}")
    for route in ID_ROUTES
    for attacker in sorted(ATTACKERS)
    if expected(route, attacker) != "shared"
]


@pytest.mark.parametrize(("route", "attacker"), ATTACKS)
async def test_others_objects_answer_404_and_stay_as_they_were(
    world: World, route: Route, attacker: str
) -> None:
    clock.pin(T0)
    outcome = expected(route, attacker)
    client = world.client(attacker)
    url = route.url(**{p: victim_value(world, p) for p in route.params})
    answer = await send(client, route, url)
    assert PRIVATE not in answer.text
    if outcome == "404":
        assert answer.status_code == 404, answer.text
        control = await send(
            client, route, route.url(**{p: nowhere_value(p) for p in route.params})
        )
        # The victim's object looks exactly like one that does not exist: no existence oracle.
        assert (control.status_code, control.json()) == (404, answer.json())
    elif outcome == "403":
        assert answer.status_code == 403, answer.text
        assert answer.json()["error"]["code"] == "admin_only"
    else:
        assert answer.status_code < 500, answer.text
    await assert_victim_untouched(world)


async def assert_victim_untouched(world: World) -> None:
    victim = world.client("vic")
    assert (await victim.get("/api/v1/me/export")).content == world.baseline
    place = await victim.get(f"/api/v1/places/{world.victim.household_place_id}")
    assert place.status_code == 200
    tokens = (await victim.get("/api/v1/auth/tokens")).json()
    assert world.victim.token_id in [t["id"] for t in tokens]


# A valid form for each page that acts on an object, so the form check never answers first.
PAGE_FORMS: dict[str, dict[str, str]] = {
    "POST /activities/{activity_id}/undo": {"next": "/"},
    "POST /engines/{engine_id}": {"status": "INACTIVE"},
    "POST /engines/{engine_id}/delete": {},
    "POST /investments/{investment_id}/top-up": {"add": "1"},
    "POST /investments/{investment_id}/sell": {},
    "POST /loadouts/{loadout_id}": {"name": "taken over"},
    "POST /loadouts/{loadout_id}/activate": {},
    "POST /loadouts/{loadout_id}/delete": {},
    "POST /places/saved/{saved_id}": {"notes": "taken over"},
    "POST /places/saved/{saved_id}/delete": {},
    "POST /training/tasks/{task_id}/complete": {},
    "POST /admin/players/{user_id}": {"res_gold": "0"},
    "POST /settings/tokens/{token_id}/revoke": {},
    "POST /settings/invites/{invite_id}/revoke": {},
    "POST /settings/members/{user_id}/export": {},
    "POST /settings/members/{user_id}/remove": {"confirm_username": "vic"},
    "POST /settings/members/{user_id}/hand-over": {},
    "POST /settings/members/{user_id}/password-reset": {},
}

PAGE_ATTACKS = [
    pytest.param(route, attacker, id=f"{route}-{attacker}")
    for route in PAGE_ID_ROUTES
    for attacker in sorted(ATTACKERS)
    if expected(route, attacker) != "shared"
]


@pytest.mark.parametrize(("route", "attacker"), PAGE_ATTACKS)
async def test_pages_refuse_others_objects_too(world: World, route: Route, attacker: str) -> None:
    clock.pin(T0)
    outcome = expected(route, attacker)
    if route.method != "GET" and str(route) not in PAGE_FORMS:
        pytest.fail(f"{route}: add a valid form to PAGE_FORMS")
    transport = httpx.ASGITransport(app=world.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as browser:
        signed = await browser.post(
            "/api/v1/auth/login", json={"login": attacker, "password": PASSWORD}
        )
        assert signed.status_code == 200
        form = {
            **PAGE_FORMS.get(str(route), {}),
            "csrf_token": signed.json()["csrf_token"],
            "form_nonce": f"isolation-{attacker}-{abs(hash(str(route)))}",
        }
        url = route.url(**{p: victim_value(world, p) for p in route.params})
        if route.method == "GET":
            answer = await browser.get(url)
        else:
            answer = await browser.request(route.method, url, data=form)
    assert PRIVATE not in answer.text
    if outcome == "404":
        assert answer.status_code == 404, answer.text[:300]
    elif outcome == "403":
        assert answer.status_code == 403, answer.text[:300]
    else:
        assert answer.status_code < 500, answer.text[:300]
    await assert_victim_untouched(world)


def _safe_reads() -> list[Route]:
    return [r for r in ROUTES if r.is_api and r.method == "GET" and not r.params and r.signed_in]


def _secrets_for(world: World, attacker: str) -> list[str]:
    same_household, _ = ATTACKERS[attacker]
    secrets = [PRIVATE, "vic@example.org"]
    if not same_household:
        secrets += [HOUSEHOLD, "Lovelaces", '"vic"', f'"target_user_id":{world.victim.user_id}']
    return secrets


@pytest.mark.parametrize("attacker", sorted(ATTACKERS))
async def test_nothing_of_the_victim_shows_in_anyone_elses_lists_or_export(
    world: World, attacker: str
) -> None:
    clock.pin(T0)
    client = world.client(attacker)
    reads = _safe_reads()
    assert "GET /api/v1/me/export" in [str(r) for r in reads]
    seen: dict[str, str] = {}
    for route in reads:
        response = await client.get(route.path)
        assert response.status_code in (200, 403), f"{route}: {response.text}"
        seen[str(route)] = response.text
    for description in ("quiet cafe", "town", "city"):
        search = await client.post(
            "/api/v1/places/search", json={"description": description, "city": "Leeds"}
        )
        assert search.status_code == 200
        seen[f"POST /api/v1/places/search {description!r}"] = search.text
    for secret in _secrets_for(world, attacker):
        leaks = [name for name, text in seen.items() if secret in text.replace(" ", "")]
        assert leaks == [], f"{attacker} sees {secret!r} in {leaks}"


async def test_the_victim_sees_its_own_data(world: World) -> None:
    """The sweep above could pass by seeing nothing at all: the markers are really there."""
    clock.pin(T0)
    victim = world.client("vic")
    assert PRIVATE in (await victim.get("/api/v1/me/engines")).text
    doc = json.loads((await victim.get("/api/v1/me/export")).content)
    assert PRIVATE in doc["saved_places"][0]["notes"]
    household = world.client("sam")
    search = await household.post(
        "/api/v1/places/search", json={"description": "quiet cafe", "city": "Leeds"}
    )
    assert HOUSEHOLD in search.text  # the household's place is the household's to see


ADMIN_BODIES: dict[str, dict[str, Any] | None] = {
    "PUT /api/v1/admin/players/{user_id}": {"resources": {"gold": "0"}},
}


@pytest.mark.parametrize("route", [r for r in ROUTES if r.admin_only and not r.is_api], ids=str)
async def test_admin_only_pages_refuse_members(world: World, route: Route) -> None:
    clock.pin(T0)
    for member in ("sam", "hal"):
        transport = httpx.ASGITransport(app=world.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as browser:
            signed = await browser.post(
                "/api/v1/auth/login", json={"login": member, "password": PASSWORD}
            )
            form = {
                **PAGE_FORMS.get(str(route), {}),
                "csrf_token": signed.json()["csrf_token"],
                "form_nonce": f"admin-only-{member}-{abs(hash(str(route)))}",
            }
            url = route.url(**{p: victim_value(world, p) for p in route.params})
            answer = await browser.request(route.method, url, data=form)
        assert answer.status_code == 403, f"{member}: {answer.text[:300]}"
    await assert_victim_untouched(world)


@pytest.mark.parametrize("route", [r for r in ROUTES if r.admin_only and r.is_api], ids=str)
async def test_admin_only_routes_refuse_members(world: World, route: Route) -> None:
    clock.pin(T0)
    for member in ("sam", "hal"):
        url = route.url(**{p: victim_value(world, p) for p in route.params})
        answer = await world.client(member).request(
            route.method, url, json=ADMIN_BODIES.get(str(route))
        )
        assert answer.status_code == 403, f"{member}: {answer.text}"
        assert answer.json()["error"]["code"] == "admin_only"
    assert (await world.client("vic").get("/api/v1/me/export")).content == world.baseline
