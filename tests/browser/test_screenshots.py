"""The README's screenshots, drawn at a phone's and a laptop's width.

Every run checks the pages and saves the images under test-artifacts/; with
LIFEWORLD_SCREENSHOTS=<dir> (what `scripts/screenshots.py` sets) they go to that directory too,
with the names the README links: places-, settings-invites-, today-undo- (and today-undo-360-full)
and how-it-works-<width>.png.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.async_api import Locator, Page, expect

from tests.browser.conftest import Household, NewContext
from tests.browser.support import ARTIFACTS, QUESTIONNAIRE, api, sign_in

pytestmark = pytest.mark.browser

WIDTHS = {360: 740, 1280: 800}  # width: the window's height
PHONE = 360


def _folders() -> list[Path]:
    wanted = os.environ.get("LIFEWORLD_SCREENSHOTS", "")
    folders = [ARTIFACTS, *([Path(wanted).resolve()] if wanted else [])]
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
    return folders


async def _save(page: Page, name: str, *, full: bool = True, part: Locator | None = None) -> None:
    """The page (whole, or as the window shows it), or one part of it cut from the whole page."""
    for folder in _folders():
        path = str(folder / f"{name}.png")
        if part is None:
            await page.screenshot(path=path, full_page=full)
        else:
            await page.evaluate("window.scrollTo(0, 0)")  # the sticky bar stays at the top
            box = await part.evaluate(
                "e => { const r = e.getBoundingClientRect(); return "
                "{x: r.left, y: r.top + window.scrollY, width: r.width, height: r.height}; }"
            )
            await page.screenshot(path=path, full_page=True, clip=box)
        print(f"saved {path}")


async def _admin(new_context: NewContext, household: Household, width: int) -> Page:
    """The household's admin, questionnaire answered, at `width`."""
    context = await new_context(viewport={"width": width, "height": WIDTHS[width]})
    page = await context.new_page()
    await sign_in(page, household.admin)
    csrf = await page.locator("body").get_attribute("data-csrf")
    answer = await page.request.post(
        "/api/v1/me/questionnaire", headers={"X-CSRF-Token": csrf or ""}, data=QUESTIONNAIRE
    )
    assert answer.status in (200, 409), await answer.text()  # 409: answered by another test
    return page


@pytest.mark.parametrize("width", list(WIDTHS))
async def test_readme_screenshots(
    household: Household, new_context: NewContext, width: int
) -> None:
    page = await _admin(new_context, household, width)

    # The household's own places, so the search shows what a household sees (tests are offline).
    ours = (("Fernhill Café", "quiet, wifi, terrace"), ("The Long Table", "quiet cafe"))
    for name, words in ours:
        place = {"name": name, "category": "cafe", "city": "London", "description": words}
        search = {"description": name, "city": "London"}
        found = await api(page, "POST", "/api/v1/places/search", search)
        names = [p["name"] for group in found["groups"].values() for p in group]
        if name not in names:  # one household for both widths: add them once
            await api(page, "POST", "/api/v1/places", {**place, "rating": "4.5"})
    await page.goto("/places?description=quiet+cafe&city=London")
    await expect(page.get_by_text("Fernhill Café").first).to_be_visible()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Places")
    await _save(page, f"places-{width}")

    await page.goto("/settings")
    invites = page.locator("#invites")
    await invites.get_by_role("button", name="Create an invite", exact=True).click()
    await expect(invites.get_by_role("status")).to_contain_text("It works once")
    await _save(page, f"settings-invites-{width}", part=invites)

    await page.goto("/")
    quick = page.locator("#quick")
    await page.get_by_role("button", name=re.compile("^Learning")).click()
    undo = quick.get_by_role("button", name=re.compile("^Undo"))
    await expect(undo).to_be_visible()
    if width == PHONE:
        await _save(page, f"today-undo-{width}-full")
        await undo.evaluate("e => e.scrollIntoView({block: 'center'})")  # message and Undo
        await _save(page, f"today-undo-{width}", full=False)  # as the phone shows it
    else:
        await _save(page, f"today-undo-{width}")

    response = await page.goto("/how-it-works")
    assert response is not None and response.status == 200, "How the game works is missing"
    await _save(page, f"how-it-works-{width}")
