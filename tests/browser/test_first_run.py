"""First run in a real browser: an empty instance leads to setup, then to the questionnaire."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.async_api import expect

from tests.browser.conftest import LiveServer, NewContext
from tests.browser.support import PASSWORD, screenshot

pytestmark = pytest.mark.browser


async def test_first_run_setup_with_a_mistake_then_the_questionnaire(
    server_factory: Callable[[], LiveServer], new_context: NewContext
) -> None:
    server = server_factory()  # an instance nobody has set up yet
    context = await new_context(base_url=server.url)
    page = await context.new_page()

    await page.goto("/")
    await expect(page).to_have_url(f"{server.url}/setup")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Welcome to Life World OS")
    await screenshot(page, "setup")

    await page.get_by_label("Household name").fill("The Curies")
    await page.get_by_label("Timezone").fill("Europe/Paris")
    await page.get_by_label("Username").fill("marie curie")  # a space is not allowed
    await page.get_by_label("Email").fill("marie@example.org")
    await page.get_by_label("Password", exact=True).fill(PASSWORD)
    await page.get_by_role("button", name="Create the household").click()

    username = page.get_by_label("Username")
    await expect(page.locator("#f-username-error")).to_contain_text("letters, digits, _ or -")
    await expect(username).to_have_attribute("aria-invalid", "true")
    await expect(username).to_be_focused()
    # What was typed is kept, except the password.
    await expect(page.get_by_label("Household name")).to_have_value("The Curies")
    await expect(page.get_by_label("Timezone")).to_have_value("Europe/Paris")
    await expect(page.get_by_label("Email")).to_have_value("marie@example.org")
    await expect(username).to_have_value("marie curie")
    await expect(page.get_by_label("Password", exact=True)).to_have_value("")
    await screenshot(page, "setup-error", widths=(360,))

    await username.fill("marie")
    await page.get_by_label("Password", exact=True).fill(PASSWORD)
    await page.get_by_role("button", name="Create the household").click()

    await expect(page).to_have_url(f"{server.url}/")
    await expect(page.get_by_role("status").first).to_contain_text("The Curies is ready")
    # Until the eight questions are answered, they are shown instead of Today.
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Eight questions to set your starting point"
    )
    await expect(page.locator(".step-count")).to_have_text("Question 1 of 8")

    # Setup is over: the page now sends people to sign in (or home, when signed in).
    await page.goto("/setup")
    await expect(page).to_have_url(f"{server.url}/")
