"""Accounts and the household as API.md specifies them, against a real PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from lifeworld.clock import clock
from tests.integration.factories import PASSWORD, invite_code, join, set_up_household


async def test_setup_is_needed_then_works_once(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/v1/setup")).json() == {"needed": True}
    body = await set_up_household(client)
    assert body["user"]["username"] == "ada"
    assert body["user"]["is_admin"] is True
    assert body["household"]["name"] == "The Lovelaces"
    assert body["household"]["timezone"] == "Europe/London"
    assert body["csrf_token"]
    assert (await client.get("/api/v1/setup")).json() == {"needed": False}

    again = await client.post(
        "/api/v1/setup",
        json={
            "household_name": "Other",
            "timezone": "UTC",
            "username": "mallory",
            "email": "m@example.org",
            "password": PASSWORD,
        },
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_set_up"


async def test_setup_cookie_is_httponly_and_lax(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/setup",
        json={
            "household_name": "H",
            "timezone": "UTC",
            "username": "ada",
            "email": "ada@example.org",
            "password": PASSWORD,
        },
    )
    cookie = response.headers["set-cookie"].lower()
    assert "lw_session=" in cookie
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "secure" not in cookie  # plain http on the home network


@pytest.mark.parametrize(
    ("field", "value", "reason_part"),
    [
        ("timezone", "Mars/Olympus", "IANA"),
        ("password", "short", "at least 10"),
        ("username", "a", "pattern"),
        ("username", "bad name!", "pattern"),
        ("email", "not-an-email", "pattern"),
    ],
)
async def test_setup_rejects_bad_fields(
    client: httpx.AsyncClient, field: str, value: str, reason_part: str
) -> None:
    body = {
        "household_name": "H",
        "timezone": "UTC",
        "username": "ada",
        "email": "ada@example.org",
        "password": PASSWORD,
        field: value,
    }
    response = await client.post("/api/v1/setup", json=body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_field"
    assert [d["field"] for d in error["details"]] == [field]
    assert reason_part in error["details"][0]["reason"]
    assert (await client.get("/api/v1/setup")).json() == {"needed": True}


async def test_login_with_username_or_email(client: httpx.AsyncClient, new_client: Any) -> None:
    await set_up_household(client)
    for login in ("ada", "ADA@example.org"):
        other = new_client()
        response = await other.post(
            "/api/v1/auth/login", json={"login": login, "password": PASSWORD}
        )
        assert response.status_code == 200, response.text
        assert response.json()["user"]["username"] == "ada"
        assert response.json()["csrf_token"]
        assert (await other.get("/api/v1/household")).status_code == 200


async def test_bad_password_and_unknown_user_look_the_same(client: httpx.AsyncClient) -> None:
    await set_up_household(client)
    wrong = await client.post(
        "/api/v1/auth/login", json={"login": "ada", "password": "wrong password"}
    )
    unknown = await client.post(
        "/api/v1/auth/login", json={"login": "nobody", "password": PASSWORD}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["error"]["code"] == "invalid_credentials"


async def test_login_throttled_after_five_failures_for_an_account(
    client: httpx.AsyncClient, new_client: Any
) -> None:
    await set_up_household(client)
    attacker = new_client()
    for _ in range(5):
        r = await attacker.post(
            "/api/v1/auth/login", json={"login": "ada", "password": "nope nope"}
        )
        assert r.status_code == 401
    throttled = await attacker.post(
        "/api/v1/auth/login", json={"login": "ada", "password": PASSWORD}
    )
    assert throttled.status_code == 429
    assert throttled.json()["error"]["code"] == "throttled"
    retry_after = int(throttled.headers["Retry-After"])
    assert 1 <= retry_after <= 15 * 60 + 1

    # Once the window has passed, the right password works again.
    clock.pin(clock.now() + timedelta(minutes=16))
    ok = await attacker.post("/api/v1/auth/login", json={"login": "ada", "password": PASSWORD})
    assert ok.status_code == 200


async def test_login_throttled_after_twenty_failures_from_one_address(
    client: httpx.AsyncClient, new_client: Any
) -> None:
    await set_up_household(client)
    attacker = new_client()
    for i in range(20):
        r = await attacker.post(
            "/api/v1/auth/login", json={"login": f"someone{i}", "password": "nope nope"}
        )
        assert r.status_code == 401
    blocked = await attacker.post("/api/v1/auth/login", json={"login": "ada", "password": PASSWORD})
    assert blocked.status_code == 429


async def test_logout_revokes_the_session_server_side(
    client: httpx.AsyncClient, new_client: Any
) -> None:
    await set_up_household(client)
    cookie = client.cookies.get("lw_session")
    assert cookie
    assert (await client.post("/api/v1/auth/logout")).status_code == 204
    # Replaying the old cookie from another client must fail: the session is gone server-side.
    replay = new_client()
    replay.cookies.set("lw_session", cookie)
    response = await replay.get("/api/v1/household")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "session_expired"


async def test_cookie_writes_need_the_csrf_header(client: httpx.AsyncClient) -> None:
    await set_up_household(client)
    token = client.headers.pop("X-CSRF-Token")
    refused = await client.post("/api/v1/auth/tokens", json={"name": "script"})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "csrf_failed"
    wrong = await client.post(
        "/api/v1/auth/tokens", json={"name": "script"}, headers={"X-CSRF-Token": "forged"}
    )
    assert wrong.status_code == 403
    ok = await client.post(
        "/api/v1/auth/tokens", json={"name": "script"}, headers={"X-CSRF-Token": token}
    )
    assert ok.status_code == 201
    assert (await client.get("/api/v1/auth/csrf")).json() == {"csrf_token": token}


async def test_api_token_works_until_deleted(client: httpx.AsyncClient, new_client: Any) -> None:
    await set_up_household(client)
    created = await client.post("/api/v1/auth/tokens", json={"name": "home assistant"})
    assert created.status_code == 201
    token = created.json()["token"]
    token_id = created.json()["id"]

    listed = (await client.get("/api/v1/auth/tokens")).json()
    assert [t["name"] for t in listed] == ["home assistant"]
    assert "token" not in listed[0]
    assert token not in str(listed)

    script = new_client()
    script.headers["Authorization"] = f"Bearer {token}"
    assert (await script.get("/api/v1/household")).status_code == 200
    # Bearer requests need no CSRF token.
    assert (await script.patch("/api/v1/me", json={"display_name": "Ada L."})).status_code == 200

    assert (await client.delete(f"/api/v1/auth/tokens/{token_id}")).status_code == 204
    gone = await script.get("/api/v1/household")
    assert gone.status_code == 401
    assert gone.json()["error"]["code"] == "invalid_token"
    assert (await client.delete(f"/api/v1/auth/tokens/{token_id}")).status_code == 404


async def test_invite_is_single_use(client: httpx.AsyncClient, new_client: Any) -> None:
    await set_up_household(client)
    code = await invite_code(client)
    grace = new_client()
    joined = await join(grace, code, username="grace", timezone="America/New_York")
    assert joined["user"]["is_admin"] is False
    assert joined["user"]["timezone"] == "America/New_York"

    again = await new_client().post(
        "/api/v1/auth/register",
        json={
            "invite_code": code,
            "username": "eve",
            "email": "eve@example.org",
            "password": PASSWORD,
        },
    )
    assert again.status_code == 422
    assert again.json()["error"]["code"] == "invalid_invite"
    assert "already been used" in again.json()["error"]["message"]

    household = (await client.get("/api/v1/household")).json()
    assert [m["username"] for m in household["members"]] == ["ada", "grace"]
    assert household["members"][1] == {
        "id": joined["user"]["id"],
        "username": "grace",
        "display_name": "grace",
        "rank": "RECRUIT",
        "level": 1,
        "season": "SPRING",
        "is_admin": False,
    }


async def test_invite_expires_after_seven_days(client: httpx.AsyncClient, new_client: Any) -> None:
    await set_up_household(client)
    code = await invite_code(client)
    clock.pin(clock.now() + timedelta(days=7, seconds=1))
    late = await new_client().post(
        "/api/v1/auth/register",
        json={
            "invite_code": code,
            "username": "late",
            "email": "late@example.org",
            "password": PASSWORD,
        },
    )
    assert late.status_code == 422
    assert "expired" in late.json()["error"]["message"]


async def test_only_the_admin_invites(client: httpx.AsyncClient, new_client: Any) -> None:
    await set_up_household(client)
    code = await invite_code(client)
    member = new_client()
    await join(member, code, username="grace")
    refused = await member.post("/api/v1/household/invites")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "admin_only"


async def test_duplicate_username_or_email_is_refused(
    client: httpx.AsyncClient, new_client: Any
) -> None:
    await set_up_household(client)
    for username, email, field in (
        ("ADA", "new@example.org", "username"),
        ("newbie", "Ada@Example.org", "email"),
    ):
        code = await invite_code(client)
        response = await new_client().post(
            "/api/v1/auth/register",
            json={"invite_code": code, "username": username, "email": email, "password": PASSWORD},
        )
        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["field"] == field


async def test_patch_me_validates(client: httpx.AsyncClient) -> None:
    await set_up_household(client)
    ok = await client.patch("/api/v1/me", json={"timezone": "Asia/Tokyo", "day_start_hour": 5})
    assert ok.status_code == 200
    assert (ok.json()["timezone"], ok.json()["day_start_hour"]) == ("Asia/Tokyo", 5)
    for body in ({"timezone": "Nowhere/City"}, {"day_start_hour": 24}, {"day_start_hour": -1}):
        bad = await client.patch("/api/v1/me", json=body)
        assert bad.status_code == 422, body


async def test_password_change_signs_out_everywhere(
    client: httpx.AsyncClient, new_client: Any
) -> None:
    await set_up_household(client)
    laptop = new_client()
    await laptop.post("/api/v1/auth/login", json={"login": "ada", "password": PASSWORD})
    changed = await client.post(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": "a brand new passphrase"},
    )
    assert changed.status_code == 204
    assert (await laptop.get("/api/v1/household")).status_code == 401
    relog = await new_client().post(
        "/api/v1/auth/login", json={"login": "ada", "password": "a brand new passphrase"}
    )
    assert relog.status_code == 200


async def test_unauthenticated_requests_get_401(client: httpx.AsyncClient) -> None:
    for method, path in (
        ("GET", "/api/v1/household"),
        ("POST", "/api/v1/auth/tokens"),
        ("PATCH", "/api/v1/me"),
    ):
        response = await client.request(method, path, json={})
        assert response.status_code == 401, path
        assert response.json()["error"]["code"] == "not_authenticated"


async def test_a_refused_request_still_counts_as_activity_for_idle_expiry(
    client: httpx.AsyncClient,
) -> None:
    await set_up_household(client)
    start = clock.now()
    clock.pin(start + timedelta(days=13))
    refused = await client.post("/api/v1/me/season", json={"season": "SPRING"})
    assert refused.status_code == 409  # same_season: the request's transaction rolls back
    clock.pin(start + timedelta(days=26))  # 26 days after sign-in, 13 after the last request
    assert (await client.get("/api/v1/household")).status_code == 200
    clock.pin(start + timedelta(days=40, seconds=1))  # 14 idle days: the session has ended
    assert (await client.get("/api/v1/household")).status_code == 401


async def test_a_cookie_write_from_another_site_is_refused(client: httpx.AsyncClient) -> None:
    await set_up_household(client)
    foreign = await client.post(
        "/api/v1/auth/tokens", json={"name": "x"}, headers={"Origin": "http://evil.example"}
    )
    assert foreign.status_code == 403
    assert foreign.json()["error"]["code"] == "csrf_failed"
    same_site = await client.post(
        "/api/v1/auth/tokens", json={"name": "x"}, headers={"Origin": "http://testserver"}
    )
    assert same_site.status_code == 201


async def test_signing_in_again_ends_the_session_the_browser_had(
    client: httpx.AsyncClient, new_client: Any
) -> None:
    await set_up_household(client)
    first = client.cookies["lw_session"]
    again = await client.post("/api/v1/auth/login", json={"login": "ada", "password": PASSWORD})
    assert again.status_code == 200
    assert client.cookies["lw_session"] != first
    replay = new_client()
    replay.cookies.set("lw_session", first)
    assert (await replay.get("/api/v1/household")).status_code == 401
