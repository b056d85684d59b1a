"""The Places page with the default provider `auto`, against Nominatim's recorded answers on
127.0.0.1: real searches on a laptop and a phone, and the longest message on a 360 px phone
without widening the page or pushing the tab bar off the screen."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import httpx
import pytest
from playwright.async_api import Page, expect

from lifeworld.places import messages
from tests.browser.conftest import LiveServer, NewContext
from tests.browser.support import PASSWORD, screenshot, sign_in
from tests.places_server import RecordedNominatim

pytestmark = pytest.mark.browser

# The longest town name the form takes (120 characters), in one word: the longest message.
LONG_TOWN = (
    "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch"
    "Taumatawhakatangihangakoauauotamateaturipukakapikimaungahoronukupokaiwhenuakitanatahu"
)[:120]
LONGEST = f"{messages.unknown_city(LONG_TOWN)} {messages.OFFLINE_FOR_NOW}"


@pytest.fixture(scope="module")
def nominatim() -> Iterator[RecordedNominatim]:
    fake = RecordedNominatim()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def server(server_factory: Callable[..., LiveServer], nominatim: RecordedNominatim) -> LiveServer:
    """An instance searching `auto` against the recording, its household set up."""
    live = server_factory(
        PLACES_PROVIDER="auto",
        NOMINATIM_URL=nominatim.url,
        NOMINATIM_MIN_INTERVAL_S="0",
        PLACES_CONTACT="admin@lovelace.example",
        PLACES_OFFLINE_RETRY_S="3600",  # once away, it stays away for this test module
    )
    setup = {
        "household_name": "The Lovelaces", "timezone": "Europe/London", "username": "ada",
        "email": "ada@example.org", "password": PASSWORD,
    }  # fmt: skip
    assert httpx.post(f"{live.url}/api/v1/setup", json=setup).status_code == 201
    return live


async def find(page: Page, description: str, city: str) -> None:
    await page.get_by_label("What are you looking for?").fill(description)
    await page.get_by_label("Where?").fill(city)
    await page.get_by_role("button", name="Search").click()
    await expect(page).to_have_url(re.compile(r"/places\?description="))


async def fits(page: Page, width: int) -> None:
    """Nothing widens the page beyond the screen; on a phone the tab bar is on screen."""
    assert await page.evaluate("document.documentElement.scrollWidth") <= width
    if width < 600:
        bar = page.locator(".tabbar")
        await expect(bar).to_be_visible()
        box = await bar.bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
        assert box["y"] + box["height"] <= 740 + 0.5  # the phone's viewport height


async def test_real_searches_find_venues_and_names(
    server: LiveServer, new_context: NewContext, nominatim: RecordedNominatim
) -> None:
    context = await new_context(base_url=server.url)
    page = await context.new_page()
    await sign_in(page, "ada")
    await page.goto("/places")
    await find(page, "quiet cafe with wifi", "London")
    results = page.locator("#results")
    await expect(results.get_by_role("heading", level=2)).to_have_text("6 places in London")
    await expect(results.locator(".place").first).to_contain_text("Timberyard")
    await expect(results).to_contain_text("OpenStreetMap contributors")
    await expect(page.locator("#results [role=status]")).to_have_count(0)  # no notice
    await fits(page, 1280)

    await find(page, "Café de Flore", "Paris")
    first = results.locator(".place").first
    await expect(first).to_contain_text("Café de Flore")
    await expect(first).to_contain_text("Paris, France")
    await find(page, "pizza", "NYC")
    await expect(results.get_by_role("heading", level=2)).to_have_text("5 places in NYC")
    await expect(results.locator(".place").first).to_contain_text("Lombardi's Pizza")
    await expect(results.locator(".place").nth(2)).to_contain_text("7 Carmine Street")
    await page.set_viewport_size({"width": 360, "height": 740})
    await fits(page, 360)
    await screenshot(page, "places-online", widths=(360, 1280))
    assert "pizza" in nominatim.searches()


async def test_the_longest_message_fits_a_phone(
    server: LiveServer, new_context: NewContext, nominatim: RecordedNominatim
) -> None:
    nominatim.stop()  # the map service goes away: `auto` searches offline
    try:
        context = await new_context(base_url=server.url, viewport={"width": 360, "height": 740})
        page = await context.new_page()
        await sign_in(page, "ada")
        await page.goto("/places")
        await find(page, "quiet cafe with wifi", LONG_TOWN)
        notice = page.locator("#results [role=status]")
        await expect(notice).to_have_text(LONGEST)
        assert len(LONGEST) > 300
        await fits(page, 360)
        assert "LIFEWORLD_" not in await page.content()  # no settings on a household's page
        assert "/api/" not in await page.locator("main").inner_text()
        await screenshot(page, "places-offline", widths=(360, 1280))
        await page.set_viewport_size({"width": 1280, "height": 800})
        await fits(page, 1280)
    finally:
        nominatim.start()
