"""Invites that travel and members an admin manages (issue 21 §2), through the API on a real
PostgreSQL: grouped codes typed any way, pending invites listed and revoked, a member removed
with their export, the admin role handed over, one-time password reset links."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from lifeworld.accounts import households
from lifeworld.accounts.models import Invite, PasswordReset, User
from lifeworld.accounts.security import Security
from lifeworld.clock import clock
from lifeworld.db.scope import Scope
from lifeworld.players.service import create_player
from lifeworld.settings import Settings
from tests.integration.factories import PASSWORD, invite_code, join, set_up_household

NewClient = Callable[[], httpx.AsyncClient]
CODE = re.compile(r"^[2-9A-HJKMNP-TV-Z]{4}(-[2-9A-HJKMNP-TV-Z]{4}){3}$")
NEW_PASSWORD = "a brand new passphrase"


async def _household(client: httpx.AsyncClient, new_client: NewClient) -> dict[str, Any]:
    """ada (admin) and bob (member) in The Lovelaces; bob's client signed in."""
    ada = await set_up_household(client)
    bob_client = new_client()
    bob = await join(bob_client, await invite_code(client), username="bob")
    return {"ada": ada["user"], "bob": bob["user"], "bob_client": bob_client}


async def _other_household(
    scope: Scope, test_settings: Settings, new_client: NewClient
) -> httpx.AsyncClient:
    """grace, admin of The Hoppers (as `lifeworld household create` makes it), signed in."""
    user, _ = await households.create_household(
        scope,
        Security.from_settings(test_settings),
        name="The Hoppers",
        timezone="UTC",
        username="grace",
        email="grace@example.org",
        password=PASSWORD,
    )
    await create_player(scope, user=user, now=clock.now())
    await scope.session.commit()
    grace = new_client()
    login = await grace.post("/api/v1/auth/login", json={"login": "grace", "password": PASSWORD})
    assert login.status_code == 200, login.text
    grace.headers["X-CSRF-Token"] = login.json()["csrf_token"]
    return grace


def _error(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code


async def _audit(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await client.get("/api/v1/admin/audit")
    assert response.status_code == 200, response.text
    entries: list[dict[str, Any]] = response.json()
    return entries


# --- invites -------------------------------------------------------------------------------


async def test_invite_code_is_grouped_with_a_link_and_works_typed_any_way(
    client: httpx.AsyncClient, new_client: NewClient
) -> None:
    await set_up_household(client)
    response = await client.post("/api/v1/household/invites")
    assert response.status_code == 201, response.text
    body = response.json()
    assert CODE.match(body["code"]), body["code"]
    assert body["link"] == f"http://testserver/join?code={body['code']}"
    typed = " " + body["code"].lower().replace("-", " ") + " "
    joined = await join(new_client(), typed, username="bob")
    assert joined["user"]["household_id"] == (await client.get("/api/v1/household")).json()["id"]


async def test_codes_made_before_still_work(
    client: httpx.AsyncClient, new_client: NewClient, scope: Scope, test_settings: Settings
) -> None:
    ada = await set_up_household(client)
    old = "aB3dxY_9zQ1w"  # the shape of the codes made before: 12 URL-safe characters
    scope.session.add(
        Invite(
            household_id=ada["household"]["id"],
            code_digest=Security.from_settings(test_settings).digest(old),
            hint=old[:4],
            created_by=ada["user"]["id"],
            created_at=clock.now(),
            expires_at=clock.now() + timedelta(days=7),
        )
    )
    await scope.session.commit()
    other = new_client()
    wrong_case = await other.post(
        "/api/v1/auth/register",
        json={
            "invite_code": old.upper(),
            "username": "bob",
            "email": "bob@example.org",
            "password": PASSWORD,
        },
    )
    _error(wrong_case, 422, "invalid_invite")
    await join(other, f"  {old} ", username="bob")


async def test_pending_invites_are_listed_and_a_revoked_one_stops_working(
    client: httpx.AsyncClient, new_client: NewClient
) -> None:
    await set_up_household(client)
    first = (await client.post("/api/v1/household/invites")).json()
    second = (await client.post("/api/v1/household/invites")).json()
    used = await invite_code(client)
    await join(new_client(), used, username="carol")

    listed = (await client.get("/api/v1/household/invites")).json()
    assert [i["hint"] for i in listed] == [second["code"][:4], first["code"][:4]]
    assert all(i["created_by"] == "ada" for i in listed)
    assert set(listed[0]) == {"id", "hint", "created_by", "created_at", "expires_at"}

    revoked = await client.delete(f"/api/v1/household/invites/{listed[1]['id']}")
    assert revoked.status_code == 204
    assert [i["hint"] for i in (await client.get("/api/v1/household/invites")).json()] == [
        second["code"][:4]
    ]
    refused = await new_client().post(
        "/api/v1/auth/register",
        json={
            "invite_code": first["code"],
            "username": "dan",
            "email": "dan@example.org",
            "password": PASSWORD,
        },
    )
    _error(refused, 422, "invalid_invite")
    again = await client.delete(f"/api/v1/household/invites/{listed[1]['id']}")
    _error(again, 404, "not_found")
    assert "invite_revoked" in [e["action"] for e in await _audit(client)]


async def test_expired_invites_are_not_pending(client: httpx.AsyncClient) -> None:
    await set_up_household(client)
    await client.post("/api/v1/household/invites")
    clock.pin(clock.now() + timedelta(days=8))
    assert (await client.get("/api/v1/household/invites")).json() == []


async def test_members_cannot_list_or_revoke_invites(
    client: httpx.AsyncClient, new_client: NewClient
) -> None:
    people = await _household(client, new_client)
    await client.post("/api/v1/household/invites")
    invite_id = (await client.get("/api/v1/household/invites")).json()[0]["id"]
    bob = people["bob_client"]
    _error(await bob.get("/api/v1/household/invites"), 403, "admin_only")
    _error(await bob.delete(f"/api/v1/household/invites/{invite_id}"), 403, "admin_only")
    assert len((await client.get("/api/v1/household/invites")).json()) == 1


async def test_another_households_admin_gets_404_for_invites_and_members(
    client: httpx.AsyncClient, new_client: NewClient, scope: Scope, test_settings: Settings
) -> None:
    people = await _household(client, new_client)
    await client.post("/api/v1/household/invites")
    invite_id = (await client.get("/api/v1/household/invites")).json()[0]["id"]
    grace = await _other_household(scope, test_settings, new_client)
    assert (await grace.get("/api/v1/household/invites")).json() == []
    _error(await grace.delete(f"/api/v1/household/invites/{invite_id}"), 404, "not_found")
    bob_id = people["bob"]["id"]
    for method, path in (
        ("GET", f"/api/v1/household/members/{bob_id}/export"),
        ("DELETE", f"/api/v1/household/members/{bob_id}"),
        ("POST", f"/api/v1/household/members/{bob_id}/hand-over"),
        ("POST", f"/api/v1/household/members/{bob_id}/password-reset"),
    ):
        _error(await grace.request(method, path), 404, "not_found")
    assert len((await client.get("/api/v1/household/invites")).json()) == 1
    members = (await client.get("/api/v1/household")).json()["members"]
    assert [(m["username"], m["is_admin"]) for m in members] == [("ada", True), ("bob", False)]
    assert not (await scope.session.scalars(select(PasswordReset))).all()


# --- removing a member ---------------------------------------------------------------------


async def test_admin_removes_a_member_and_gets_their_export(
    client: httpx.AsyncClient, new_client: NewClient, scope: Scope
) -> None:
    people = await _household(client, new_client)
    bob_client, bob_id = people["bob_client"], people["bob"]["id"]
    own_export = (await bob_client.get("/api/v1/me/export")).json()

    before = await client.get(f"/api/v1/household/members/{bob_id}/export")
    assert before.status_code == 200
    assert "attachment" in before.headers["content-disposition"]
    assert before.json()["player"] == own_export["player"]

    removed = await client.delete(f"/api/v1/household/members/{bob_id}")
    assert removed.status_code == 200, removed.text
    assert 'filename="lifeworld-export-bob-' in removed.headers["content-disposition"]
    document = json.loads(removed.content)
    assert document["player"] == own_export["player"]

    members = (await client.get("/api/v1/household")).json()["members"]
    assert [m["username"] for m in members] == ["ada"]
    assert (await scope.session.get(User, bob_id)) is None
    _error(await bob_client.get("/api/v1/me/state"), 401, "session_expired")
    entry = (await _audit(client))[0]
    assert entry["action"] == "remove_member"
    assert entry["changes"]["username"] == "bob"
    # the username is free again
    await join(new_client(), await invite_code(client), username="bob")


async def test_admin_cannot_remove_themselves_and_members_cannot_remove(
    client: httpx.AsyncClient, new_client: NewClient
) -> None:
    people = await _household(client, new_client)
    _error(
        await client.delete(f"/api/v1/household/members/{people['ada']['id']}"),
        409,
        "own_account",
    )
    bob = people["bob_client"]
    _error(await bob.delete(f"/api/v1/household/members/{people['ada']['id']}"), 403, "admin_only")
    _error(
        await bob.get(f"/api/v1/household/members/{people['ada']['id']}/export"), 403, "admin_only"
    )
    assert len((await client.get("/api/v1/household")).json()["members"]) == 2


# --- handing the admin role over ------------------------------------------------------------


async def test_the_instance_owner_hands_admin_over_and_stays_owner(
    client: httpx.AsyncClient, new_client: NewClient
) -> None:
    people = await _household(client, new_client)
    response = await client.post(f"/api/v1/household/members/{people['bob']['id']}/hand-over")
    assert response.status_code == 200, response.text
    assert response.json() == {"admin_id": people["bob"]["id"], "you_stay_admin": True}
    members = (await client.get("/api/v1/household")).json()["members"]
    assert [(m["username"], m["is_admin"]) for m in members] == [("ada", True), ("bob", True)]
    assert (await people["bob_client"].get("/api/v1/household/invites")).status_code == 200
    assert (await client.get("/api/v1/ops/advice")).status_code == 200
    assert (await _audit(client))[0]["action"] == "hand_over_admin"


async def test_another_households_admin_hands_over_and_steps_down(
    client: httpx.AsyncClient, new_client: NewClient, scope: Scope, test_settings: Settings
) -> None:
    await set_up_household(client)
    grace = await _other_household(scope, test_settings, new_client)
    hal_client = new_client()
    hal = await join(hal_client, await invite_code(grace), username="hal")
    response = await grace.post(f"/api/v1/household/members/{hal['user']['id']}/hand-over")
    assert response.json() == {"admin_id": hal["user"]["id"], "you_stay_admin": False}
    members = (await hal_client.get("/api/v1/household")).json()["members"]
    assert [(m["username"], m["is_admin"]) for m in members] == [("grace", False), ("hal", True)]
    _error(await grace.get("/api/v1/household/invites"), 403, "admin_only")
    _error(
        await hal_client.post(f"/api/v1/household/members/{hal['user']['id']}/hand-over"),
        409,
        "own_account",
    )


# --- password reset links -------------------------------------------------------------------


async def _reset_link(client: httpx.AsyncClient, user_id: int) -> str:
    response = await client.post(f"/api/v1/household/members/{user_id}/password-reset")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["link"].startswith("http://testserver/reset-password?token=")
    return str(body["link"].split("token=", 1)[1])


async def test_a_reset_link_sets_a_new_password_once_and_signs_the_member_out(
    client: httpx.AsyncClient, new_client: NewClient, scope: Scope, test_settings: Settings
) -> None:
    people = await _household(client, new_client)
    bob_client, bob_id = people["bob_client"], people["bob"]["id"]
    token = await _reset_link(client, bob_id)
    stored = (await scope.session.scalars(select(PasswordReset))).one()
    assert stored.token_digest != token.encode()
    assert token not in repr(stored.token_digest)

    anyone = new_client()
    used = await anyone.post(
        "/api/v1/auth/password-reset", json={"token": token, "new_password": NEW_PASSWORD}
    )
    assert used.status_code == 204, used.text
    _error(await bob_client.get("/api/v1/me/state"), 401, "session_expired")
    old = await anyone.post("/api/v1/auth/login", json={"login": "bob", "password": PASSWORD})
    _error(old, 401, "invalid_credentials")
    new = await anyone.post("/api/v1/auth/login", json={"login": "bob", "password": NEW_PASSWORD})
    assert new.status_code == 200

    again = await new_client().post(
        "/api/v1/auth/password-reset", json={"token": token, "new_password": "yet another one!"}
    )
    _error(again, 422, "invalid_reset_link")
    actions = [e["action"] for e in await _audit(client)]
    assert actions[:2] == ["password_reset_used", "password_reset_link"]


async def test_a_reset_link_expires_after_a_day_and_a_new_one_replaces_it(
    client: httpx.AsyncClient, new_client: NewClient
) -> None:
    people = await _household(client, new_client)
    bob_id = people["bob"]["id"]
    first = await _reset_link(client, bob_id)
    second = await _reset_link(client, bob_id)
    anyone = new_client()
    replaced = await anyone.post(
        "/api/v1/auth/password-reset", json={"token": first, "new_password": NEW_PASSWORD}
    )
    _error(replaced, 422, "invalid_reset_link")
    clock.pin(clock.now() + timedelta(hours=24, seconds=1))
    expired = await anyone.post(
        "/api/v1/auth/password-reset", json={"token": second, "new_password": NEW_PASSWORD}
    )
    _error(expired, 422, "invalid_reset_link")


async def test_reset_links_follow_the_password_rules_and_are_for_admins_only(
    client: httpx.AsyncClient, new_client: NewClient
) -> None:
    people = await _household(client, new_client)
    token = await _reset_link(client, people["bob"]["id"])
    short = await new_client().post(
        "/api/v1/auth/password-reset", json={"token": token, "new_password": "short"}
    )
    _error(short, 422, "invalid_field")
    bob = people["bob_client"]
    _error(
        await bob.post(f"/api/v1/household/members/{people['ada']['id']}/password-reset"),
        403,
        "admin_only",
    )
    _error(
        await client.post(f"/api/v1/household/members/{people['ada']['id']}/password-reset"),
        409,
        "own_account",
    )
    # the link was not spent by the refused attempt
    ok = await new_client().post(
        "/api/v1/auth/password-reset", json={"token": token, "new_password": NEW_PASSWORD}
    )
    assert ok.status_code == 204


async def test_wrong_reset_links_are_throttled(
    client: httpx.AsyncClient, new_client: NewClient, test_settings: Settings
) -> None:
    await set_up_household(client)
    anyone = new_client()
    statuses = []
    for n in range(test_settings.login_max_failures_per_address + 1):
        response = await anyone.post(
            "/api/v1/auth/password-reset",
            json={"token": f"guess-{n}-" + "x" * 30, "new_password": NEW_PASSWORD},
        )
        statuses.append(response.status_code)
    assert statuses[-1] == 429
    assert set(statuses[:-1]) == {422}


async def test_two_admins_removing_each_other_at_once_leave_one(
    committed_app: FastAPI, committed_client: httpx.AsyncClient
) -> None:
    ada = committed_client
    await set_up_household(ada)
    bob = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=committed_app), base_url="http://testserver"
    )
    async with bob:
        bob_user = await join(bob, await invite_code(ada), username="bob")
        handed = await ada.post(f"/api/v1/household/members/{bob_user['user']['id']}/hand-over")
        assert handed.status_code == 200
        members = (await ada.get("/api/v1/household")).json()["members"]
        ids = {m["username"]: m["id"] for m in members}
        answers = await asyncio.gather(
            ada.delete(f"/api/v1/household/members/{ids['bob']}"),
            bob.delete(f"/api/v1/household/members/{ids['ada']}"),
        )
    statuses = sorted(a.status_code for a in answers)
    assert statuses[0] == 200 and statuses[1] in (401, 403), [a.text for a in answers]
    async with committed_app.state.db.sessionmaker() as session:
        left = (await session.execute(select(User.username, User.is_admin))).all()
    assert len(left) == 1 and left[0][1] is True
