"""The web layer in a real browser: error pages, CSRF, double submits, offline, no-JS, a11y."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import Household, NewContext, PageProblems
from tests.browser.support import screenshot, sign_in

pytestmark = pytest.mark.browser


async def test_unknown_page_is_a_404_page_in_the_app_style(
    household: Household, page: Page
) -> None:
    response = await page.goto("/no-such-page")
    assert response is not None and response.status == 404
    await expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    await expect(page.locator(".brand")).to_be_visible()
    await expect(page.get_by_role("link", name="Go to Today")).to_be_visible()
    # The stylesheet applied: the status number is drawn big, not as body text.
    size = await page.locator(".error-status").evaluate("e => getComputedStyle(e).fontSize")
    assert size == "56px"
    await screenshot(page, "not-found")
    async with httpx.AsyncClient(base_url=household.server.url) as client:
        api = await client.get("/api/v1/no-such-thing")
    assert api.status_code == 404
    assert api.json()["error"]["code"] == "not_found"


async def test_a_form_post_without_the_csrf_token_gets_the_403_page(
    household: Household, page: Page
) -> None:
    await sign_in(page, household.new_member("csrf"))
    response = await page.request.post("/settings/tokens", form={"name": "sneaky"})
    assert response.status == 403
    html = await response.text()
    assert "Not allowed" in html and "This form has expired" in html
    await page.goto("/settings")
    await expect(page.locator("#tokens .token-item")).to_have_count(0)


async def test_double_tap_and_resent_form_are_recorded_once(
    household: Household, page: Page
) -> None:
    await sign_in(page, household.new_member("twice"))
    await page.goto("/settings")
    tokens = page.locator("#tokens")

    # A double tap with JavaScript on.
    await page.get_by_label("Token name").fill("Double tap")
    async with page.expect_navigation():
        await page.get_by_role("button", name="Create token").dblclick()
    await expect(tokens.locator(".token-item")).to_have_count(1)

    # The same form sent twice by the network (no JavaScript to stop it), one after the other.
    form = {
        "csrf_token": await page.locator("#tokens input[name=csrf_token]").first.input_value(),
        "form_nonce": await page.locator("#tokens input[name=form_nonce]").first.input_value(),
        "name": "Sent twice",
    }
    first = await page.request.post("/settings/tokens", form=form, max_redirects=0)
    second = await page.request.post("/settings/tokens", form=form, max_redirects=0)
    assert first.status == second.status == 303
    assert first.headers["location"] == second.headers["location"] == "/settings#tokens"
    await page.goto("/settings")
    await expect(tokens.get_by_role("status")).to_contain_text(
        ["“Sent twice” created", "sent twice; it was recorded once"]
    )
    await expect(tokens.locator(".token-item")).to_have_count(2)

    # And at the very same time, from two connections.
    form["form_nonce"] = "concurrent-nonce-0123456789"
    form["name"] = "At once"
    answers = await asyncio.gather(
        *(page.request.post("/settings/tokens", form=form, max_redirects=0) for _ in range(2))
    )
    assert [a.status for a in answers] == [303, 303]
    await page.goto("/settings")
    await expect(tokens.locator(".token-item")).to_have_count(3)
    await expect(tokens.locator(".token-name")).to_have_text(
        ["Double tap", "Sent twice", "At once"]
    )


async def test_offline_page_from_the_service_worker(household: Household, page: Page) -> None:
    await page.goto("/login")
    await page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    # Control starts with the next navigation after activation.
    await page.reload()
    assert await page.evaluate("!!navigator.serviceWorker.controller")

    await page.context.set_offline(True)
    await page.goto("/settings")
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Can't reach your Life World OS server"
    )
    await expect(page.get_by_role("link", name="Try again")).to_be_visible()
    await screenshot(page, "offline", widths=(360,))
    # Back online, the page reloads by itself once the server answers again.
    await page.context.set_offline(False)
    await expect(page).to_have_url(re.compile(r"/login\?next=/settings$"), timeout=15_000)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")


async def test_forms_work_with_javascript_off(
    household: Household, new_context: NewContext
) -> None:
    page = await (await new_context(java_script_enabled=False)).new_page()
    await sign_in(page, household.new_member("nojs"))
    await page.goto("/settings")
    await page.get_by_label("Display name").fill("No Script")
    await page.get_by_role("button", name="Save profile").click()
    await expect(page.locator("#profile").get_by_role("status")).to_have_text("Saved.")
    await expect(page.get_by_label("Display name")).to_have_value("No Script")

    await page.get_by_label("Token name").fill("Plain form")
    await page.get_by_role("button", name="Create token").click()
    await expect(page.locator("#tokens input[data-secret]")).to_have_value(re.compile("^lw_"))
    await expect(page.locator("#tokens").get_by_role("button", name="Copy")).to_be_hidden()

    await page.get_by_role("button", name="Sign out").last.click()
    await expect(page).to_have_url(re.compile(r"/login$"))


async def test_every_page_loads_without_console_errors_or_csp_violations(
    household: Household, new_context: NewContext
) -> None:
    # The new_context fixture fails the test on any console error, uncaught exception,
    # failed sub-resource or CSP violation ("Refused to …") seen by these pages.
    page = await (await new_context()).new_page()
    for path in ("/login", "/join", "/offline", "/nothing-here", "/setup"):
        await page.goto(path)
    await sign_in(page, household.admin)
    for path in ("/", "/settings", "/household", "/logout", "/no-such-page"):
        response = await page.goto(path)
        assert response is not None
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp


async def test_the_problem_watcher_catches_a_csp_violation(
    household: Household, browser_page_without_checks: tuple[Page, PageProblems]
) -> None:
    page, problems = browser_page_without_checks
    await page.goto("/login")
    await page.evaluate("document.body.setAttribute('style', 'color: red')")
    await page.wait_for_timeout(200)
    assert any("Content Security Policy" in e for e in problems.errors), problems.errors


async def test_keyboard_skip_link_and_dark_theme(
    household: Household, new_context: NewContext
) -> None:
    page = await (
        await new_context(color_scheme="dark", viewport={"width": 360, "height": 740})
    ).new_page()
    await sign_in(page, household.admin)
    await page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    await expect(skip).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(page.locator("main")).to_be_focused()
    background = await page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(11, 18, 21)"
    await screenshot(page, "signed-in-dark", widths=(360,))
