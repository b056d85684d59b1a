"""Issue 21 §6 on a phone and a laptop: one product name, one number format in the browser's
language and the household's currency, plurals by count, a status select that shows its words,
and the sleep form's fields in line."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import Household, NewContext
from tests.browser.support import api, ready_player, sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
LAPTOP = {"width": 1280, "height": 800}
WIDE = {"width": 1440, "height": 900}
PAGES = (
    "/",
    "/energy",
    "/training",
    "/investments",
    "/activities",
    "/loadouts",
    "/places",
    "/engines",
    "/household",
    "/settings",
    "/how-it-works",
)
# The innermost elements wider than the window, to say what widened a page.
WIDER_THAN = """(w) => [...document.querySelectorAll('body *')]
  .filter((e) => e.getBoundingClientRect().width > w)
  .slice(-3)
  .map((e) => e.tagName + '.' + e.className + ' ' + e.textContent.trim().slice(0, 40))"""

# How much room a select's text needs: the selected option in the select's own font, its padding
# and the arrow Chromium draws beside it.
SELECT_ROOM = """(s) => {
  const style = getComputedStyle(s);
  const ctx = document.createElement("canvas").getContext("2d");
  ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const text = ctx.measureText(s.options[s.selectedIndex].text).width;
  const card = s.closest(".card").getBoundingClientRect();
  return {
    need: text + parseFloat(style.paddingLeft) + 16,
    have: s.clientWidth - parseFloat(style.paddingRight) + 16,
    inside: s.getBoundingClientRect().right <= card.right,
  };
}"""


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["360", "1280"])
async def test_one_name_one_number_format_and_plurals(
    household: Household, new_context: NewContext, viewport: dict[str, int]
) -> None:
    username = household.new_member("formats")
    page = await (await new_context(viewport=viewport)).new_page()  # en-GB
    await ready_player(page, username)
    await expect(page).to_have_title(re.compile(r"^Today · Life World OS$"))
    await expect(page.locator(".brand-name")).to_have_text("Life World OS")
    await expect(page.locator(".footer p")).to_have_text(re.compile(r"^Life World OS \d+\.\d+"))
    manifest = await (await page.request.get("/static/manifest.webmanifest")).json()
    assert manifest["name"] == manifest["short_name"] == "Life World OS"

    # The household is in Europe/London: pounds; the browser reads English (UK).
    await expect(page.locator(".resource-gold .resource-value")).to_have_text("£3,500.00")
    await expect(page.locator("html")).to_have_attribute("data-number-locale", "en-GB")
    save = page.get_by_role("button", name=re.compile("^Save"))
    await expect(save).to_contain_text("+1,478 XP")  # 1,000 × 1.2 × 1.10 × 1.12, rounded
    await save.click()
    await expect(page.get_by_role("status").first).to_contain_text("+1,478 XP")
    await expect(page.locator("#rank .big-number")).to_contain_text("2,228")  # 750 + 1,478

    await api(
        page,
        "POST",
        "/api/v1/me/investments",
        {"type": "STOCKS", "name": "Index", "amount": "1000"},
    )
    await page.goto("/investments")
    await expect(page.locator(".gold-line")).to_contain_text("Gold available: £2,")
    await page.goto("/")
    await expect(page.locator("#milestones")).to_contain_text("+1 key")  # not "+1 keys"
    english = await page.locator("#rank .big-number").inner_text()
    assert re.fullmatch(r"2,\d{3} XP", english.strip()), english
    await page.goto("/training")
    await expect(page.locator("main")).to_contain_text("complete 2 training tasks (0 done)")

    german = await (await new_context(viewport=viewport, locale="de-DE")).new_page()
    await sign_in(german, username)
    await expect(german.locator("html")).to_have_attribute("data-number-locale", "de-DE")
    await expect(german.locator("#rank .big-number")).to_have_text(english.replace(",", "."))
    gold = await german.locator(".resource-gold .resource-value").inner_text()
    assert re.fullmatch(r"2\.\d{3},\d\d\s£", gold), gold
    await german.goto("/activities")  # the page's script writes numbers the same way
    custom = german.locator("#custom")
    await custom.get_by_label("What did you do?").fill("Big project")
    await custom.get_by_label("Overall XP").fill("1000")
    preview = custom.locator("[data-preview-output]")
    await expect(preview).to_contain_text(re.compile(r"gives \+1\.\d{3} XP"))


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["360", "1280"])
async def test_the_engine_status_select_shows_its_words(
    household: Household, new_context: NewContext, viewport: dict[str, int]
) -> None:
    page = await (await new_context(viewport=viewport)).new_page()
    await ready_player(page, household.new_member("engines"))
    body = {"type": "BUSINESS", "name": "Etsy shop", "monthly_output": "200", "status": "ACTIVE"}
    await api(page, "POST", "/api/v1/me/engines", body)
    await page.goto("/engines")
    status = page.get_by_label("Status of Etsy shop", exact=True)
    await expect(status).to_have_value("ACTIVE")
    room = await status.evaluate(SELECT_ROOM)
    assert room["inside"] and room["need"] <= room["have"], room


async def test_the_sleep_forms_fields_line_up_on_a_laptop(household: Household, page: Page) -> None:
    await ready_player(page, household.new_member("sleep"))
    await page.goto("/energy")
    night = await page.get_by_label("Night of").bounding_box()
    hours = await page.get_by_label("Hours slept").bounding_box()
    assert night is not None and hours is not None
    assert night["x"] < hours["x"], "side by side on a laptop"
    assert abs(night["y"] - hours["y"]) < 1 and abs(night["height"] - hours["height"]) < 1


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP, WIDE], ids=["360", "1280", "1440"])
async def test_the_longest_user_name_stays_inside_the_account_menu(
    household: Household, new_context: NewContext, viewport: dict[str, int]
) -> None:
    username = household.new_member("W" * 30)  # 31–32 characters of the widest letter
    assert len(username) >= 31
    page = await (await new_context(viewport=viewport)).new_page()
    await ready_player(page, username)
    await page.locator(".account-menu > summary").click()
    panel = page.locator(".account-menu .menu-panel")
    await expect(panel).to_contain_text(username)
    box = await panel.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], box
    who = await page.locator(".menu-who").evaluate(
        "(p) => ({ scroll: p.scrollWidth, client: p.clientWidth })"
    )
    assert who["scroll"] <= who["client"], who  # the name wraps inside the panel
    avatar = await page.locator(".account-menu .avatar").bounding_box()
    assert avatar is not None and abs(avatar["width"] - avatar["height"]) < 1, avatar  # round
    # Every page that may hold the name (the greeting, the member lists, "Signed in as").
    for path in PAGES:
        await page.goto(path)
        width = await page.evaluate("document.documentElement.scrollWidth")
        wide = await page.evaluate(WIDER_THAN, viewport["width"])
        assert width <= viewport["width"], (path, width, wide)  # the page never widens
