"""Today in a real browser: the questionnaire, quick actions, energy, keyboard use, no overflow.

Numbers are those of GAME_RULES.md for a player who answered `QUESTIONNAIRE` (support.py):
SPRING (×1.2), capacity 75 (health strong: band high, XP ×1.10), energy 100, and The Balanced
active from birth (§13: XP ×1.12, energy costs × 0.9 rounded).
"""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import Household, NewContext
from tests.browser.support import api, ready_player, screenshot, sign_in

pytestmark = pytest.mark.browser

GAME_PAGES = (
    "/",
    "/activities",
    "/energy",
    "/training",
    "/loadouts",
    "/investments",
    "/engines",
    "/places?description=quiet+cafe&city=London",
    "/how-it-works",
    "/admin",
    "/household",
    "/settings",
)


async def _activity_count(page: Page) -> int:
    return len((await api(page, "GET", "/api/v1/me/activities"))["items"])


async def test_questionnaire_with_a_mistake_and_a_step_back(
    household: Household, page: Page
) -> None:
    url = household.server.url
    await sign_in(page, household.new_member("quiz"))
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Eight questions to set your starting point"
    )
    await expect(page.locator(".step-count")).to_have_text("Question 1 of 8")
    await expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "0.0")
    await screenshot(page, "welcome")
    await page.get_by_label("Summer").check()
    await page.get_by_role("button", name="Next").click()
    await expect(page.locator(".step-count")).to_have_text("Question 2 of 8")
    months = page.get_by_label("How many months of expenses could your savings cover?")
    await months.evaluate("e => e.removeAttribute('max')")  # what an old browser would send
    await months.fill("500")
    await page.get_by_role("button", name="Next").click()
    await expect(page.locator("#f-months-saved-error")).to_contain_text("from 0 to 120")
    await expect(months).to_have_value("500")
    await expect(months).to_be_focused()
    await page.get_by_role("button", name="Back").click()
    await expect(page.get_by_label("Summer")).to_be_checked()  # the answer so far is kept
    await page.get_by_role("button", name="Next").click()
    await months.fill("3")
    await page.get_by_role("button", name="Next").click()
    for answer in ("Strong", "2", "Strong", "4", "Well", "Some"):
        if answer.isdigit():
            await page.get_by_role("spinbutton").fill(answer)
        else:
            await page.get_by_label(answer, exact=True).check()
        await page.get_by_role("button", name=re.compile("^(Next|Finish)$")).click()
    await expect(page).to_have_url(f"{url}/")
    await expect(page.get_by_role("status").first).to_contain_text(
        "Your starting point is set: Recruit, level 1, in Summer"
    )
    await expect(page.locator("#season .season-chip")).to_have_text("Summer")
    # §10: 3 months saved, 2 sources → gold 3 × 1,000 + 500; experience "some" → 750 XP…
    await expect(page.locator(".resource-gold .resource-value")).to_have_text("£3,500.00")
    # …and the questionnaire's 750 XP plus nothing else yet.
    await expect(page.locator("#rank .big-number")).to_contain_text("750")
    await page.goto("/welcome")
    await expect(page).to_have_url(f"{url}/")


async def test_quick_action_updates_today_in_place_once(household: Household, page: Page) -> None:
    await ready_player(page, household.new_member("tap"))
    await expect(page.locator("[data-live-value]")).to_have_text("100")
    await page.evaluate("window.__sameDocument = true")

    exercise = page.get_by_role("button", name=re.compile("^Exercise"))
    await expect(exercise).to_contain_text("23")  # 25 × 0.9 = 22.5 → 23
    await expect(exercise).to_contain_text("+296 XP")  # 200 × 1.2 × 1.10 × 1.12 = 295.68
    await exercise.dblclick()  # a double tap

    quick = page.locator("#quick")
    await expect(quick.get_by_role("status")).to_contain_text(
        "Exercise logged: +296 XP, 23 energy used (77 left)."
    )
    await expect(page.locator("[data-live-value]")).to_have_text("77")
    await expect(page.locator("#recent .activity-item")).to_have_count(1)
    await expect(page.locator("#recent")).to_contain_text("Exercise")
    assert await page.evaluate("window.__sameDocument === true"), "the page was reloaded"
    assert await _activity_count(page) == 1  # the double tap was recorded once
    await expect(page.locator("#quick .quick-btn").first).to_be_enabled()


async def test_energy_short_message_next_to_the_quick_actions(
    household: Household, page: Page
) -> None:
    await ready_player(page, household.new_member("tired"))
    for kind in ("WORK_PROJECT", "WORK_PROJECT", "WORK_PROJECT", "SAVE_EXPENSES"):
        await api(page, "POST", "/api/v1/me/activities", {"type": kind})  # 100 − 3 × 27 − 14 = 5
    await page.reload()
    work = page.get_by_role("button", name=re.compile("^Work"))
    await expect(work).to_contain_text("too tired")
    await work.click()
    alert = page.locator("#quick").get_by_role("alert")
    await expect(alert).to_have_text("Not enough energy: this needs 27, you have 5 usable.")
    await expect(alert).to_be_focused()
    await screenshot(page, "energy-short", widths=(360,))
    assert await _activity_count(page) == 4  # the refused work was not recorded
    # Rest is free (§3): an exhausted player can always rest.
    rest = page.get_by_role("button", name=re.compile("^Rest"))
    await expect(rest).to_contain_text("free")
    await rest.click()
    await expect(page.locator("#quick").get_by_role("status")).to_contain_text("Rest logged: 0 XP.")
    await expect(page.locator("[data-live-value]")).to_have_text("5")
    assert await _activity_count(page) == 5


async def test_quick_action_with_javascript_off(
    household: Household, new_context: NewContext
) -> None:
    page = await (await new_context(java_script_enabled=False)).new_page()
    await ready_player(page, household.new_member("plain"))
    await page.get_by_role("button", name=re.compile("^Learning")).click()
    await expect(page).to_have_url(re.compile(r"/#quick$"))
    await expect(page.locator("#quick").get_by_role("status")).to_contain_text(
        "Learning logged: +591 XP, 18 energy used (82 left)."  # 400 × 1.2 × 1.10 × 1.12
    )
    await expect(page.locator(".energy-number")).to_contain_text("82")


async def test_keyboard_reaches_the_quick_actions_with_a_visible_focus(
    household: Household, new_context: NewContext
) -> None:
    page = await (await new_context(viewport={"width": 360, "height": 740})).new_page()
    await ready_player(page, household.new_member("keys"))
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    for _ in range(40):
        await page.keyboard.press("Tab")
        if await page.evaluate("document.activeElement.classList.contains('quick-btn')"):
            break
    else:
        pytest.fail("Tab never reached a quick action")
    focused = page.locator(":focus")
    await expect(focused).to_contain_text("Work")
    outline = await focused.evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline == "solid", "the focused button shows no focus ring"
    await page.keyboard.press("Tab")
    await expect(page.locator(":focus")).to_contain_text("Exercise")
    await page.keyboard.press("Enter")
    await expect(page.locator("#quick").get_by_role("status")).to_contain_text("Exercise logged")


async def test_no_game_page_overflows_a_360_px_phone(
    household: Household, new_context: NewContext
) -> None:
    page = await (await new_context(viewport={"width": 360, "height": 740})).new_page()
    await sign_in(page, household.admin)
    state = await api(page, "GET", "/api/v1/me/state")
    if not state["questionnaire_done"]:
        await api(page, "POST", "/api/v1/me/questionnaire", dict(QUESTIONNAIRE_ADMIN))
    for path in GAME_PAGES:
        response = await page.goto(path)
        assert response is not None and response.status == 200, path
        wide = await page.evaluate(WIDER_THAN_THE_SCREEN)
        assert wide == [], f"{path} is wider than a 360 px phone: {wide}"


WIDER_THAN_THE_SCREEN = """() => {
  const screen = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= screen) return [];
  return Array.from(document.querySelectorAll("main *"))
    .filter((e) => e.getBoundingClientRect().right > screen + 1)
    .map((e) => e.tagName + "." + e.className)
    .slice(0, 5);
}"""
QUESTIONNAIRE_ADMIN = {
    "life_phase": "AUTUMN",
    "months_saved": 7,
    "health": "very_strong",
    "income_sources": 3,
    "purpose": "strong",
    "options": 6,
    "stress": "high",
    "experience": "experienced",
}


async def test_live_energy_drains_on_the_page_between_loads(
    household: Household, page: Page
) -> None:
    await page.clock.install()  # the page's own clock, moved by the test (the server's is real)
    await ready_player(page, household.new_member("drain"))
    live = page.locator("[data-live-value]")
    await expect(live).to_have_text("100")
    await page.clock.fast_forward("03:00:00")
    await expect(live).to_have_text("94")  # 2 an hour (§11), shown from the server's numbers
    await expect(page.locator("[data-live-hours]")).to_have_text(re.compile(r"^4[67] h"))
    await expect(page.locator("#energy [role=progressbar]")).to_have_attribute(
        "aria-valuenow", "94"
    )
