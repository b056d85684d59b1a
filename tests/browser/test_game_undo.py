"""Undo and "How the game works" in a real browser, on a phone and a laptop.

Numbers as in test_game_today.py: SPRING, capacity 75 (XP ×1.10, cap 100), The Balanced
(XP ×1.12, energy costs × 0.9 rounded).
"""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect

from lifeworld.game import capacity, rollover, seasons
from tests.browser.conftest import Household, NewContext
from tests.browser.support import ARTIFACTS, api, ready_player, screenshot
from tests.browser.test_game_today import WIDER_THAN_THE_SCREEN

pytestmark = pytest.mark.browser

SIZES = {"phone": {"width": 360, "height": 740}, "laptop": {"width": 1280, "height": 800}}


async def _activity_count(page: Page) -> int:
    return len((await api(page, "GET", "/api/v1/me/activities"))["items"])


@pytest.mark.parametrize("size", SIZES)
async def test_undo_from_today(household: Household, new_context: NewContext, size: str) -> None:
    page = await (await new_context(viewport=SIZES[size])).new_page()
    await ready_player(page, household.new_member(f"undo{size}"))
    await page.get_by_role("button", name=re.compile("^Exercise")).click()
    quick = page.locator("#quick")
    await expect(quick.get_by_role("status")).to_contain_text("Exercise logged: +296 XP")
    await expect(page.locator("[data-live-value]")).to_have_text("77")
    assert await page.evaluate(WIDER_THAN_THE_SCREEN) == []
    if size == "phone":
        await screenshot(page, "today-undo")
        await quick.scroll_into_view_if_needed()  # the message and its Undo, as a phone shows them
        await page.screenshot(path=str(ARTIFACTS / "today-undo-360-view.png"))

    # Undo in the message right after logging
    await quick.get_by_role("button", name="Undo the activity just logged").click()
    recent = page.locator("#recent")
    await expect(recent.get_by_role("status")).to_contain_text(
        "Exercise undone: its energy, XP and resources are back as they were."
    )
    await expect(page.locator("[data-live-value]")).to_have_text("100")
    await expect(recent.locator(".activity-item")).to_have_count(0)
    assert await _activity_count(page) == 0

    # Undo beside one of today's activities in the list
    await page.get_by_role("button", name=re.compile("^Learning")).click()
    await expect(quick.get_by_role("status")).to_contain_text("Learning logged")
    await page.get_by_role("button", name=re.compile("^Save")).first.click()
    await expect(recent.locator(".activity-item")).to_have_count(2)
    await recent.get_by_role("button", name=re.compile("^Undo Learning")).click()
    await expect(recent.get_by_role("status")).to_contain_text("Learning undone")
    await expect(recent.locator(".activity-item")).to_have_count(1)
    await expect(recent).to_contain_text("Save")
    assert [a["type"] for a in (await api(page, "GET", "/api/v1/me/activities"))["items"]] == [
        "SAVE_EXPENSES"
    ]
    assert await page.evaluate(WIDER_THAN_THE_SCREEN) == []


async def test_undo_without_javascript(household: Household, new_context: NewContext) -> None:
    page = await (await new_context(java_script_enabled=False)).new_page()
    await ready_player(page, household.new_member("undoplain"))
    await page.get_by_role("button", name=re.compile("^Work")).click()
    await expect(page.locator(".energy-number")).to_contain_text("73")
    await page.locator("#recent").get_by_role("button", name=re.compile("^Undo Work")).click()
    await expect(page).to_have_url(re.compile(r"/#recent$"))
    await expect(page.locator("#recent").get_by_role("status")).to_contain_text("Work undone")
    await expect(page.locator(".energy-number")).to_contain_text("100")


async def test_save_with_the_amount_put_aside(household: Household, page: Page) -> None:
    await ready_player(page, household.new_member("saver"))
    await page.get_by_label("How much did you put aside?").fill("200")
    await page.get_by_role("button", name="Log Save").click()
    await expect(page.locator("#quick").get_by_role("status")).to_contain_text(
        "Save logged: +1,478 XP, 14 energy used (86 left), gold +£210.00."  # 200 × 1.05 (§4)
    )
    await expect(page.locator(".resource-gold .resource-value")).to_have_text("£3,710.00")


@pytest.mark.parametrize("size", SIZES)
async def test_how_the_game_works(household: Household, new_context: NewContext, size: str) -> None:
    page = await (await new_context(viewport=SIZES[size])).new_page()
    await ready_player(page, household.new_member(f"guide{size}"))
    await page.get_by_role("link", name="How the game works").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("How the game works")
    energy = page.locator("#energy")
    await expect(energy).to_contain_text(f"Every day starts with {rollover.DAILY_ENERGY} energy")
    burnout_row = energy.get_by_role("row", name=f"in burnout {capacity.BURNOUT_ENERGY_CAP}")
    await expect(burnout_row).to_be_visible()
    await expect(page.locator("#seasons")).to_contain_text(
        f"after at least {seasons.MIN_SEASON_DAYS} days"
    )
    await expect(page.locator("#clouds .is-you")).to_contain_text("71–85")  # capacity 75
    assert await page.evaluate(WIDER_THAN_THE_SCREEN) == []
    if size == "phone":
        await screenshot(page, "how-it-works")
