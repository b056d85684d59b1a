"""Signing in and out, settings, API tokens, invites and the household, in a real Chromium."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import Household, NewContext
from tests.browser.support import ARTIFACTS, PASSWORD, screenshot, sign_in

pytestmark = pytest.mark.browser


async def test_sign_in_wrong_password_then_right_lands_where_asked(
    household: Household, page: Page
) -> None:
    url = household.server.url
    await page.goto("/settings")
    await expect(page).to_have_url(f"{url}/login?next=/settings")
    await screenshot(page, "login")

    await page.get_by_label("Username or email").fill("ada@example.org")
    await page.get_by_label("Password", exact=True).fill("not the password")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("alert")).to_have_text("Wrong username, email or password.")
    await expect(page.get_by_label("Username or email")).to_have_value("ada@example.org")
    await expect(page.get_by_label("Password", exact=True)).to_have_value("")

    await page.get_by_label("Password", exact=True).fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page).to_have_url(f"{url}/settings")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Settings")


async def test_settings_change_timezone_and_keep_values_on_error(
    household: Household, page: Page
) -> None:
    await sign_in(page, household.new_member("tz"))
    await page.goto("/settings")
    timezone = page.locator("#profile").get_by_label("Timezone")

    await timezone.fill("Mars/Olympus_Mons")
    await page.get_by_label("Display name").fill("Tessa")
    await page.get_by_role("button", name="Save profile").click()
    await expect(page.locator("#f-timezone-error")).to_contain_text("not an IANA timezone")
    await expect(timezone).to_have_value("Mars/Olympus_Mons")
    await expect(page.get_by_label("Display name")).to_have_value("Tessa")

    await timezone.fill("Asia/Tokyo")
    await page.get_by_label("My day starts at").select_option("4")
    await page.get_by_role("button", name="Save profile").click()
    await expect(page.locator("#profile").get_by_role("status")).to_have_text("Saved.")
    await expect(timezone).to_have_value("Asia/Tokyo")
    await expect(page.get_by_label("My day starts at")).to_have_value("4")
    await expect(page.locator(".account-menu .menu-name")).to_have_text("Tessa")
    await screenshot(page, "settings")


async def test_api_token_is_shown_once_works_and_can_be_revoked(
    household: Household, page: Page
) -> None:
    url = household.server.url
    await sign_in(page, household.new_member("tok"))
    await page.goto("/settings")
    await page.get_by_label("Token name").fill("Phone shortcut")
    await page.get_by_role("button", name="Create token").click()

    tokens = page.locator("#tokens")
    secret = tokens.get_by_label("API token “Phone shortcut”")
    await expect(secret).to_have_value(re.compile(r"^lw_"))
    await expect(tokens.get_by_role("button", name="Copy")).to_be_visible()
    await tokens.scroll_into_view_if_needed()
    await tokens.screenshot(path=str(ARTIFACTS / "token-shown-once.png"))
    token = await secret.input_value()
    bearer = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=url) as api:
        assert (await api.get("/api/v1/me/state", headers=bearer)).status_code == 200

    await page.reload()  # shown once: gone after the next page
    await expect(tokens.locator("input[data-secret]")).to_have_count(0)
    assert token not in await page.content()
    await expect(tokens.locator(".token-item")).to_have_count(1)

    await tokens.get_by_text("Revoke…").click()
    await tokens.get_by_role("button", name="Revoke “Phone shortcut”").click()
    await expect(tokens.get_by_role("status")).to_contain_text("Token revoked")
    await expect(tokens.locator(".token-item")).to_have_count(0)
    async with httpx.AsyncClient(base_url=url) as api:
        assert (await api.get("/api/v1/me/state", headers=bearer)).status_code == 401


async def test_invite_and_a_second_member_joins(
    household: Household, new_context: NewContext
) -> None:
    url = household.server.url
    admin = await (await new_context()).new_page()
    await sign_in(admin, household.admin)
    await admin.goto("/settings")
    await admin.get_by_role("button", name="Create an invite", exact=True).click()
    invites = admin.locator("#invites")
    await expect(invites.get_by_role("status")).to_contain_text("It works once, until")
    code = await invites.get_by_label("Invite code").input_value()
    assert len(code) >= 10

    # A second person, on their own phone.
    phone = await (await new_context(viewport={"width": 360, "height": 740})).new_page()
    await phone.goto("/login")
    await phone.get_by_role("link", name="Join the household").click()
    await phone.get_by_label("Invite code").fill(code)
    await phone.get_by_label("Username").fill("grace")
    await phone.get_by_label("Email").fill("grace@example.org")
    await phone.get_by_label("Password", exact=True).fill(PASSWORD)
    await phone.get_by_role("button", name="Join").click()
    await expect(phone).to_have_url(f"{url}/")
    await expect(phone.get_by_role("status").first).to_contain_text("Welcome, grace")

    tabs = phone.get_by_role("navigation", name="Main (tab bar)")
    await tabs.get_by_text("More").click()  # Household is under "More" on a phone
    await tabs.get_by_role("link", name="Household").click()
    await expect(phone.get_by_role("heading", level=1)).to_have_text("The Lovelaces")
    members = phone.get_by_role("list", name="Members")
    grace = members.get_by_role("listitem").filter(has_text="@grace")
    await expect(grace).to_contain_text("You")
    await expect(grace).to_contain_text("Recruit")
    await expect(grace).to_contain_text("Level 1")
    await expect(grace).to_contain_text("Spring")
    await expect(members.get_by_role("listitem").filter(has_text="@ada")).to_contain_text("Admin")
    await screenshot(phone, "household", widths=(360,))

    # The code worked once.
    other = await (await new_context()).new_page()
    await other.goto(f"/join?code={code}")
    await other.get_by_label("Username").fill("mallory")
    await other.get_by_label("Email").fill("mallory@example.org")
    await other.get_by_label("Password", exact=True).fill(PASSWORD)
    await other.get_by_role("button", name="Join").click()
    await expect(other.locator("#f-invite-code-error")).to_contain_text("already been used")

    await admin.goto("/household")
    await expect(admin.get_by_role("list", name="Members")).to_contain_text("@grace")


async def test_sign_out_ends_the_session(household: Household, page: Page) -> None:
    url = household.server.url
    await sign_in(page, household.admin)
    await page.locator("summary", has_text="Account menu for").click()
    await page.get_by_role("button", name="Sign out").click()
    await expect(page).to_have_url(f"{url}/login")
    await expect(page.get_by_role("status").first).to_contain_text("You are signed out")
    await page.goto("/settings")
    await expect(page).to_have_url(f"{url}/login?next=/settings")


async def test_changing_the_password_deletes_the_api_tokens_by_default(
    household: Household, page: Page
) -> None:
    url = household.server.url
    member = household.new_member("pw")
    async with httpx.AsyncClient(base_url=url) as api:
        login = await api.post("/api/v1/auth/login", json={"login": member, "password": PASSWORD})
        api.headers["X-CSRF-Token"] = login.json()["csrf_token"]
        token = (await api.post("/api/v1/auth/tokens", json={"name": "script"})).json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}

    await sign_in(page, member)
    await page.goto("/settings")
    password = page.locator("#password")
    box = password.get_by_label("Also sign out every API token")
    await expect(box).to_be_checked()
    await password.get_by_label("Current password").fill(PASSWORD)
    await password.get_by_label("New password").fill("a new long passphrase")
    await password.scroll_into_view_if_needed()
    await password.screenshot(path=str(ARTIFACTS / "settings-password.png"))
    await password.get_by_role("button", name="Change password").click()
    await expect(page).to_have_url(f"{url}/login")
    await expect(page.get_by_role("status").first).to_contain_text(
        "Your API tokens were deleted too."
    )
    async with httpx.AsyncClient(base_url=url) as api:
        assert (await api.get("/api/v1/me/state", headers=bearer)).status_code == 401
