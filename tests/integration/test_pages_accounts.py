"""Account pages over HTTP against a real PostgreSQL: redirects, forms, errors, CSRF, flashes."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from lifeworld.accounts.models import ApiToken, User
from lifeworld.clock import clock
from lifeworld.loadouts.models import Loadout
from lifeworld.players.models import Player
from lifeworld.web.flash import FLASH_COOKIE
from tests.integration.factories import PASSWORD, invite_code, set_up_household
from tests.integration.pages import (
    field_error,
    form_error,
    hidden_fields,
    input_value,
    submit,
    text,
)

SETUP = {
    "household_name": "The Lovelaces",
    "timezone": "Europe/London",
    "username": "ada",
    "email": "ada@example.org",
    "password": PASSWORD,
}


# §13: every player is made with the five presets, The Balanced active (the page paths too).
BORN_WITH = [
    ("the-balanced", True),
    ("the-warrior", False),
    ("the-strategist", False),
    ("the-guardian", False),
    ("the-explorer", False),
]


async def _presets(db: AsyncSession, user_id: int) -> list[tuple[str | None, bool]]:
    rows = await db.execute(
        select(Loadout.preset_id, Loadout.active)
        .where(Loadout.user_id == user_id)
        .order_by(Loadout.id)
    )
    return [(preset_id, active) for preset_id, active in rows]


async def test_home_leads_to_setup_then_login(client: httpx.AsyncClient) -> None:
    assert (await client.get("/")).headers["location"] == "/setup"
    assert (await client.get("/login")).headers["location"] == "/setup"
    await set_up_household(client)
    client.cookies.clear()
    assert (await client.get("/")).headers["location"] == "/login"
    assert (await client.get("/setup")).headers["location"] == "/login"


async def test_setup_page_creates_household_admin_player_and_session(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    response = await submit(client, "/setup", "/setup", SETUP)
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    home = await client.get("/")
    assert home.status_code == 200
    assert "The Lovelaces is ready" in text(home.text)
    assert "Recruit" in text(home.text)
    user = await db_session.scalar(select(User).where(User.username == "ada"))
    assert user is not None and user.is_admin
    assert await db_session.get(Player, user.id) is not None
    assert await _presets(db_session, user.id) == BORN_WITH


async def test_setup_errors_keep_values_and_write_nothing(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    bad = {**SETUP, "username": "ada lovelace", "email": "nope", "timezone": "Mars/Base"}
    response = await submit(client, "/setup", "/setup", bad)
    assert response.status_code == 422
    page = response.text
    assert "letters, digits" in field_error(page, "f-username")
    assert "email address" in field_error(page, "f-email")
    assert "IANA timezone" in field_error(page, "f-timezone")
    assert field_error(page, "f-household-name") == ""
    assert input_value(page, "f-username") == "ada lovelace"
    assert input_value(page, "f-household-name") == "The Lovelaces"
    assert PASSWORD not in page  # passwords are never sent back
    assert await db_session.scalar(select(func.count()).select_from(User)) == 0


async def test_login_wrong_password_then_throttled_with_the_wait(
    client: httpx.AsyncClient,
) -> None:
    await set_up_household(client)
    client.cookies.clear()
    start = clock.now()
    clock.pin(start)
    wrong = await submit(client, "/login", "/login", {"login": "ada", "password": "wrong one!"})
    assert wrong.status_code == 401
    assert "Wrong username, email or password." in text(wrong.text)
    assert input_value(wrong.text, "f-login") == "ada"
    for _ in range(4):
        await submit(client, "/login", "/login", {"login": "ada", "password": "wrong one!"})
    clock.pin(start + timedelta(seconds=30))  # the first failure leaves the window in 14.5 min
    throttled = await submit(client, "/login", "/login", {"login": "ada", "password": PASSWORD})
    assert throttled.status_code == 429
    assert int(throttled.headers["retry-after"]) > 0
    assert "You can try again in 15 minutes." in text(throttled.text)


async def test_login_goes_to_a_local_next_only(client: httpx.AsyncClient) -> None:
    await set_up_household(client)
    client.cookies.clear()
    signed_out = await client.get("/household")
    assert signed_out.headers["location"] == "/login?next=/household"
    good = await submit(
        client, "/login?next=/household", "/login", {"login": "ada", "password": PASSWORD}
    )
    assert good.headers["location"] == "/household"
    client.cookies.clear()
    for evil in ("//evil.example/x", "https://evil.example", "/\\evil.example"):
        page = await client.get("/login", params={"next": evil})
        assert hidden_fields(page.text, "/login")["next"] == "/"
        forged = await submit(
            client, "/login", "/login", {"login": "ada", "password": PASSWORD, "next": evil}
        )
        assert forged.headers["location"] == "/"
        client.cookies.delete("lw_session")


async def test_anonymous_forms_need_the_csrf_cookie_and_token(client: httpx.AsyncClient) -> None:
    page = await client.get("/setup")
    fields = hidden_fields(page.text, "/setup")
    wrong = await client.post("/setup", data={**SETUP, **fields, "csrf_token": "forged"})
    assert wrong.status_code == 403
    assert "This form has expired" in text(wrong.text)
    client.cookies.clear()
    no_cookie = await client.post("/setup", data={**SETUP, **fields})
    assert no_cookie.status_code == 403
    assert "security cookie" in text(no_cookie.text)


async def test_signed_in_forms_need_the_session_csrf_token(client: httpx.AsyncClient) -> None:
    await set_up_household(client)
    response = await client.post(
        "/settings/profile",
        data={"csrf_token": "nope", "display_name": "X", "timezone": "UTC", "day_start_hour": "0"},
    )
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")


async def test_profile_change_and_error_next_to_the_field(client: httpx.AsyncClient) -> None:
    await set_up_household(client)
    data = {"display_name": "Ada L.", "timezone": "Asia/Tokyo", "day_start_hour": "25"}
    bad = await submit(client, "/settings", "/settings/profile", data)
    assert bad.status_code == 422
    assert "between 0 and 23" in field_error(bad.text, "f-day-start-hour")
    assert input_value(bad.text, "f-display-name") == "Ada L."
    assert input_value(bad.text, "f-timezone") == "Asia/Tokyo"

    good = await submit(client, "/settings", "/settings/profile", {**data, "day_start_hour": "4"})
    assert good.status_code == 303
    assert good.headers["location"] == "/settings#profile"
    me = (await client.get("/api/v1/household")).json()["members"][0]
    assert me["display_name"] == "Ada L."
    page = await client.get("/settings")
    assert "Saved." in text(page.text)
    assert '<option value="4" selected>' in page.text
    assert FLASH_COOKIE not in client.cookies  # shown once, then deleted


async def test_a_form_address_opened_directly_leads_to_its_page(
    client: httpx.AsyncClient,
) -> None:
    await set_up_household(client)
    for path in ("/settings/profile", "/settings/tokens/1/revoke"):
        assert (await client.get(path)).headers["location"] == "/settings"


async def test_password_change_signs_out_everywhere(client: httpx.AsyncClient) -> None:
    await set_up_household(client)
    wrong = await submit(
        client,
        "/settings",
        "/settings/password",
        {"current_password": "not it at all", "new_password": "another long one"},
    )
    assert "current password is wrong" in field_error(wrong.text, "f-current-password")
    done = await submit(
        client,
        "/settings",
        "/settings/password",
        {"current_password": PASSWORD, "new_password": "another long one"},
    )
    assert done.headers["location"] == "/login"
    assert (await client.get("/settings")).headers["location"] == "/login?next=/settings"
    again = await submit(
        client, "/login", "/login", {"login": "ada", "password": "another long one"}
    )
    assert again.headers["location"] == "/"


async def test_api_token_shown_once_then_listed_and_revoked(
    client: httpx.AsyncClient, new_client: Any
) -> None:
    await set_up_household(client)
    created = await submit(client, "/settings", "/settings/tokens", {"name": "Phone"})
    assert created.headers["location"] == "/settings#tokens"
    page = (await client.get("/settings")).text
    token = input_value(page, "secret-tokens1")
    assert token.startswith("lw_")
    other = new_client()
    assert (
        await other.get("/api/v1/me/state", headers={"Authorization": f"Bearer {token}"})
    ).status_code == 200
    again = (await client.get("/settings")).text
    assert token not in again and "Phone" in text(again)

    token_id = (await client.get("/api/v1/auth/tokens")).json()[0]["id"]
    action = f"/settings/tokens/{token_id}/revoke"
    revoked = await submit(client, "/settings", action, {})
    assert revoked.status_code == 303
    assert "Token revoked" in text((await client.get("/settings")).text)
    refused = await other.get("/api/v1/me/state", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401


async def test_revoking_someone_elses_token_is_a_404_page(
    client: httpx.AsyncClient, new_client: Any, db_session: AsyncSession
) -> None:
    await set_up_household(client)
    await submit(client, "/settings", "/settings/tokens", {"name": "Mine"})
    token_id = await db_session.scalar(select(ApiToken.id))
    code = await invite_code(client)
    bob = new_client()
    joined = await submit(
        bob,
        f"/join?code={code}",
        "/join",
        {
            "invite_code": code,
            "username": "bob",
            "email": "bob@example.org",
            "password": PASSWORD,
            "timezone": "",
        },
    )
    assert joined.status_code == 303
    settings = await bob.get("/settings")
    fields = hidden_fields(settings.text, "/settings/tokens")
    response = await bob.post(f"/settings/tokens/{token_id}/revoke", data=fields)
    assert response.status_code == 404
    assert "No such API token." in text(response.text)
    assert await db_session.scalar(select(func.count()).select_from(ApiToken)) == 1


async def test_join_with_a_bad_code_keeps_values(client: httpx.AsyncClient) -> None:
    await set_up_household(client)
    client.cookies.clear()
    page = await client.get("/join", params={"code": "prefilled-code"})
    assert input_value(page.text, "f-invite-code") == "prefilled-code"
    response = await submit(
        client,
        "/join",
        "/join",
        {
            "invite_code": "made-up",
            "username": "grace",
            "email": "grace@example.org",
            "password": PASSWORD,
            "timezone": "",
        },
    )
    assert response.status_code == 422
    assert field_error(response.text, "f-invite-code") == "Error: This invite code is not valid."
    assert input_value(response.text, "f-username") == "grace"


async def test_invites_are_for_the_admin_and_shown_once(
    client: httpx.AsyncClient, new_client: Any, db_session: AsyncSession
) -> None:
    await set_up_household(client)
    made = await submit(client, "/settings", "/settings/invites", {})
    assert made.headers["location"] == "/settings#invites"
    page = (await client.get("/settings")).text
    code = input_value(page, "secret-invites1")
    assert "It works once, until" in text(page)

    member = new_client()
    joined = await submit(
        member,
        f"/join?code={code}",
        "/join",
        {
            "invite_code": code,
            "username": "grace",
            "email": "g@example.org",
            "password": PASSWORD,
            "timezone": "",
        },
    )
    assert joined.headers["location"] == "/"
    grace = await db_session.scalar(select(User.id).where(User.username == "grace"))
    assert grace is not None and await _presets(db_session, grace) == BORN_WITH
    member_settings = await member.get("/settings")
    assert "/settings/invites" not in member_settings.text
    fields = hidden_fields(member_settings.text, "/settings/tokens")
    refused = await member.post("/settings/invites", data=fields)
    assert refused.status_code == 403
    assert "Only the household admin" in text(refused.text)

    household = await member.get("/household")
    words = text(household.text)
    assert "@ada" in words and "@grace" in words and "Admin" in words
    assert "ada@example.org" not in household.text  # members see rank, level, season only


async def test_expired_session_redirects_and_clears_the_cookie(client: httpx.AsyncClient) -> None:
    await set_up_household(client)
    clock.pin(clock.now() + timedelta(days=365))
    response = await client.get("/settings")
    assert response.headers["location"] == "/login?next=/settings"
    assert 'lw_session=""' in response.headers["set-cookie"]


async def test_sign_out_revokes_the_session(client: httpx.AsyncClient) -> None:
    await set_up_household(client)
    cookie = client.cookies["lw_session"]
    page = await client.get("/logout")
    assert "Sign out?" in text(page.text)
    response = await client.post("/logout", data=hidden_fields(page.text, "/logout"))
    assert response.headers["location"] == "/login"
    client.cookies.set("lw_session", cookie)
    assert (await client.get("/")).headers["location"] == "/login"


@pytest.mark.parametrize("path", ["/", "/settings", "/household", "/setup", "/login", "/join"])
async def test_pages_are_not_in_the_openapi_schema(client: httpx.AsyncClient, path: str) -> None:
    schema = (await client.get("/api/v1/openapi.json")).json()
    assert path not in schema["paths"]


async def test_the_password_form_also_signs_out_api_tokens_unless_unticked(
    client: httpx.AsyncClient, new_client: Any
) -> None:
    await set_up_household(client)
    page = await client.get("/settings")
    box = re.search(r'<input type="checkbox" id="f-revoke-tokens"[^>]*>', page.text)
    assert box is not None and " checked" in box[0]  # ticked unless the person unticks it
    assert "Also sign out every API token" in text(page.text)
    token = (await client.post("/api/v1/auth/tokens", json={"name": "phone"})).json()["token"]
    script = new_client()
    script.headers["Authorization"] = f"Bearer {token}"
    assert (await script.get("/api/v1/household")).status_code == 200

    kept = await submit(  # a browser leaves an unticked box out of the form
        client,
        "/settings",
        "/settings/password",
        {"current_password": PASSWORD, "new_password": "another long one"},
    )
    assert kept.headers["location"] == "/login"
    assert (await script.get("/api/v1/household")).status_code == 200

    login = {"login": "ada", "password": "another long one"}
    assert (await submit(client, "/login", "/login", login)).status_code == 303
    revoked = await submit(
        client,
        "/settings",
        "/settings/password",
        {
            "current_password": "another long one",
            "new_password": "a third long one",
            "revoke_tokens": "on",
        },
    )
    assert revoked.headers["location"] == "/login"
    assert "Your API tokens were deleted too." in text((await client.get("/login")).text)
    assert (await script.get("/api/v1/household")).status_code == 401


async def test_wrong_current_passwords_pause_the_form_with_the_wait(
    committed_client: httpx.AsyncClient,
) -> None:
    await set_up_household(committed_client)
    wrong = {"current_password": "not it at all", "new_password": "another long one"}
    for _ in range(5):
        page = await submit(committed_client, "/settings", "/settings/password", wrong)
        assert page.status_code == 422
    paused = await submit(committed_client, "/settings", "/settings/password", wrong)
    assert paused.status_code == 429
    assert int(paused.headers["retry-after"]) > 0
    assert "You can try again in 15 minutes." in form_error(paused.text)
    box = re.search(r'<input type="checkbox" id="f-revoke-tokens"[^>]*>', paused.text)
    assert box is not None and " checked" not in box[0]  # the choice sent is kept


async def test_failed_joins_with_one_invite_pause_the_form(
    committed_client: httpx.AsyncClient, committed_app: Any
) -> None:
    await set_up_household(committed_client)
    code = await invite_code(committed_client)
    transport = httpx.ASGITransport(app=committed_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as guest:
        taken = {"invite_code": code, "username": "ada", "email": "x@example.org"}
        for _ in range(5):
            page = await submit(guest, "/join", "/join", {**taken, "password": PASSWORD})
            assert page.status_code == 422
            assert "not available" in field_error(page.text, "f-username")
        fine = {**taken, "username": "grace", "password": PASSWORD, "timezone": ""}
        paused = await submit(guest, "/join", "/join", fine)
        assert paused.status_code == 429
        assert "Too many failed attempts to join with this invite." in form_error(paused.text)
        assert input_value(paused.text, "f-username") == "grace"
