"""The admin's System page on a 360 px phone: where the household stands, what to do, the charts."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from playwright.async_api import expect

from tests.browser.conftest import LiveServer, NewContext
from tests.browser.support import PASSWORD, screenshot, sign_in

pytestmark = pytest.mark.browser

QUIET = "You are in the MVP phase: PostgreSQL cache is enough. Nothing to do."
PHONE = {"width": 360, "height": 740}
WIDER_THAN_THE_SCREEN = """() => {
  const screen = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= screen) return [];
  return Array.from(document.querySelectorAll("main *"))
    .filter((e) => e.getBoundingClientRect().right > screen + 1)
    .map((e) => e.tagName + "." + e.className).slice(0, 5);
}"""


def household_on(server: LiveServer) -> None:
    """A fresh server's household: the admin ada and a member bob."""
    with httpx.Client(base_url=server.url, timeout=30) as api:
        setup = api.post(
            "/api/v1/setup",
            json={"household_name": "The Lovelaces", "timezone": "Europe/London",
                  "username": "ada", "email": "ada@example.org", "password": PASSWORD},
        )  # fmt: skip
        assert setup.status_code == 201, setup.text
        api.headers["X-CSRF-Token"] = setup.json()["csrf_token"]
        code = api.post("/api/v1/household/invites").json()["code"]
        joined = httpx.post(
            f"{server.url}/api/v1/auth/register",
            json={"invite_code": code, "username": "bob", "email": "bob@example.org",
                  "password": PASSWORD},
        )  # fmt: skip
        assert joined.status_code == 201, joined.text


async def test_the_admin_reads_the_advice_on_a_phone(
    server_factory: Callable[[], LiveServer], new_context: NewContext
) -> None:
    server = server_factory()  # its own household: the phase depends on how many people it has
    household_on(server)
    context = await new_context(base_url=server.url, viewport=PHONE)
    page = await context.new_page()
    await sign_in(page, "ada")
    await page.goto("/")
    tabs = page.get_by_role("navigation", name="Main (tab bar)")
    await tabs.locator("summary").filter(has_text="More").click()  # past the five tabs
    await tabs.get_by_role("link", name="System").click()
    await expect(page).to_have_url(f"{server.url}/system")
    await expect(page.get_by_role("heading", level=1)).to_have_text("System")

    summary = page.locator("#summary")
    await expect(summary.locator(".banner-title")).to_have_text(
        "Everything is fine; no need for Redis."
    )
    await expect(summary).to_contain_text("2 users")
    advice = page.locator("#advice")
    await expect(advice).to_be_hidden()  # the engineer's detail is folded below
    await page.get_by_text("Details for whoever looks after the machine").click()
    await expect(advice.locator(".banner-title")).to_have_text(QUIET)
    await expect(advice).to_contain_text("Phase: MVP (2 users) · estimated cost $0/month")
    now = page.get_by_role("table", name="The five figures now")
    for figure in ("Query latency", "Cache hit rate", "Database CPU", "Concurrent users",
                   "Queries per day"):  # fmt: skip
        await expect(now.get_by_role("rowheader", name=figure)).to_be_visible()
    triggers = page.get_by_role("table", name="Triggers")
    await expect(triggers.locator("tbody tr")).to_have_count(8)
    await expect(triggers.locator(".tag-ok")).to_have_count(8)  # every trigger calm
    await expect(triggers.get_by_role("row", name="Queries per day")).to_contain_text(
        "> 1,000 queries/day"
    )
    await expect(page.locator("svg.chart-figure")).to_have_count(5)
    matrix = page.get_by_role("table", name="Decision matrix")
    await expect(matrix.locator("tr[aria-current=true]")).to_contain_text("MVP")
    await expect(matrix).to_contain_text("$11–68/month")
    assert await page.evaluate(WIDER_THAN_THE_SCREEN) == []
    await screenshot(page, "system", widths=(360, 1280))

    await page.get_by_role("link", name="7 days").click()
    await expect(page).to_have_url(f"{server.url}/system?span=7d#history-title")
    await expect(page.get_by_role("heading", name="Over the last 7 days")).to_be_visible()
    await expect(page.locator("svg.chart-figure")).to_have_count(5)
    assert await page.evaluate(WIDER_THAN_THE_SCREEN) == []


async def test_a_member_is_refused_the_system_page(
    server_factory: Callable[[], LiveServer], new_context: NewContext
) -> None:
    server = server_factory()
    household_on(server)
    page = await (await new_context(base_url=server.url, viewport=PHONE)).new_page()
    await sign_in(page, "bob")
    await expect(page.get_by_role("link", name="System")).to_have_count(0)
    response = await page.goto("/system")
    assert response is not None and response.status == 403
    await expect(page.locator("main")).to_contain_text(
        "Only the household admin can open this page."
    )


async def test_the_plain_words_come_first_on_a_laptop(
    server_factory: Callable[[], LiveServer], new_context: NewContext
) -> None:
    server = server_factory()
    household_on(server)
    page = await (
        await new_context(base_url=server.url, viewport={"width": 1280, "height": 800})
    ).new_page()
    await sign_in(page, "ada")
    await page.goto("/system")
    summary = page.locator("#summary")
    await expect(summary).to_be_visible()
    await expect(summary.locator(".banner-title")).to_have_text(
        "Everything is fine; no need for Redis."
    )
    await expect(page.get_by_role("table", name="Triggers")).to_be_hidden()
    detail = page.locator("#detail")
    await detail.locator("summary").click()
    await expect(page.get_by_role("table", name="Triggers")).to_be_visible()
    assert await page.evaluate(WIDER_THAN_THE_SCREEN) == []
