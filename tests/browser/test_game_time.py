"""Screens that need time to pass, each on a server of its own (the test clock moves for all).

The clock is moved with `PUT /api/v1/testing/clock`; scripts use an API token (tokens do not
expire when weeks pass), the browser signs in again after a jump (sessions do).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import LiveServer, NewContext
from tests.browser.support import PASSWORD, screenshot, sign_in

pytestmark = pytest.mark.browser

T0 = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)  # a Monday morning in London (GMT)


class Script:
    """A household's admin driving the API of one server, and its clock."""

    def __init__(self, server: LiveServer) -> None:
        self.http = httpx.Client(base_url=server.url, timeout=30)

    def at(self, when: datetime) -> None:
        response = self.http.put("/api/v1/testing/clock", json={"now": when.isoformat()})
        assert response.status_code == 200, response.text

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self.http.request(method, path, json=body)
        assert response.is_success, f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content else None

    def set_up(self, answers: dict[str, Any]) -> None:
        body = {
            "household_name": "The Lovelaces",
            "timezone": "Europe/London",
            "username": "ada",
            "email": "ada@example.org",
            "password": PASSWORD,
        }
        response = self.http.post("/api/v1/setup", json=body)
        assert response.status_code == 201, response.text
        self.http.headers["X-CSRF-Token"] = response.json()["csrf_token"]
        token = self.call("POST", "/api/v1/auth/tokens", {"name": "test script"})["token"]
        self.http.cookies.clear()
        self.http.headers.pop("X-CSRF-Token")
        self.http.headers["Authorization"] = f"Bearer {token}"
        self.call("POST", "/api/v1/me/questionnaire", answers)


@pytest.fixture
def script(server_factory: Callable[[], LiveServer]) -> Iterator[tuple[LiveServer, Script]]:
    server = server_factory()
    driver = Script(server)
    yield server, driver
    driver.http.close()


async def _open_season_change(page: Page) -> None:
    await page.locator("#season summary").click()


async def test_season_change_refused_then_allowed_in_two_tabs(
    script: tuple[LiveServer, Script], new_context: NewContext
) -> None:
    server, api = script
    api.at(T0)
    api.set_up({**ANSWERS, "life_phase": "WINTER"})
    context = await new_context(base_url=server.url)
    page = await context.new_page()
    await sign_in(page, "ada")
    season = page.locator("#season")
    await expect(season.locator(".season-chip")).to_have_text("Winter")
    await _open_season_change(page)
    await expect(season).to_contain_text("No season change is open to you today.")
    await expect(season.get_by_role("list", name="Moves not open now")).to_contain_text(
        "Spring: A season lasts at least 28 days; this one is 0 days old."
    )
    await expect(season.get_by_role("button", name="Change season")).to_have_count(0)

    api.at(T0 + timedelta(days=28))
    await sign_in(page, "ada")  # the session ran out while four weeks passed
    other = await context.new_page()  # a second tab, opened now as well
    await other.goto("/")
    await _open_season_change(page)
    await _open_season_change(other)
    await expect(season).to_contain_text("28 days in this season")
    await expect(season.get_by_label("Spring")).to_be_visible()
    await expect(season.get_by_label("Summer")).to_have_count(0)  # refused moves are not offered
    await expect(season.get_by_role("list", name="Moves not open now")).to_contain_text(
        "Summer: From WINTER you can move only to SPRING."
    )
    await season.get_by_label("Spring").check()
    await season.get_by_label("Why now?").fill("Rested enough")
    await season.get_by_role("button", name="Change season").click()
    await expect(season.get_by_role("status")).to_have_text(
        "Welcome to Spring: a season of planning and preparation."
    )
    await expect(season.locator(".season-chip")).to_have_text("Spring")
    await expect(season).to_contain_text("Started today")

    # The other tab still offers the move it showed: the rules refuse it now, next to the form.
    other_season = other.locator("#season")
    await other_season.get_by_label("Spring").check()
    await other_season.get_by_role("button", name="Change season").click()
    await expect(other_season.get_by_role("alert")).to_have_text("You are already in SPRING.")
    await expect(other_season.locator(".season-chip")).to_have_text("Spring")
    history = api.call("GET", "/api/v1/me/seasons")["history"]
    assert [(h["season"], h["reason"]) for h in history] == [("WINTER", "Rested enough")]
    await screenshot(page, "season-changed", widths=(360,))


ANSWERS = {
    "life_phase": "SUMMER",
    "months_saved": 4,
    "health": "strong",
    "income_sources": 2,
    "purpose": "strong",
    "options": 5,
    "stress": "high",
    "experience": "experienced",
}
# Three weeks of a plausible household member: what they did each weekday (Monday first).
WEEK = (
    ("EXERCISE", "WORK_PROJECT", "LEARNING"),
    ("WORK_PROJECT", "SAVE_EXPENSES", "REST"),
    ("EXERCISE", "WORK_PROJECT", "LEARNING"),
    ("WORK_PROJECT", "LEARNING", "REST"),
    ("EXERCISE", "WORK_PROJECT", "SAVE_EXPENSES"),
    ("EXERCISE", "LEARNING"),
    ("REST",),
)
NIGHTS = ((7.5, 8), (6.5, 6), (8, 9), (7, 7), (6, 5), (8.5, 9), (9, 8))


def live_three_weeks(api: Script) -> datetime:
    """Log 21 days of activities and nights; returns the morning after."""
    for offset in range(21):
        morning = T0 + timedelta(days=offset)
        api.at(morning)
        hours, quality = NIGHTS[offset % 7]
        night = {"date": morning.date().isoformat(), "hours": hours, "quality": quality}
        api.call("POST", "/api/v1/me/sleep", night)
        for kind in WEEK[offset % 7]:
            api.call("POST", "/api/v1/me/activities", {"type": kind})
        if offset == 3:
            api.call(
                "POST",
                "/api/v1/me/investments",
                {"type": "STOCKS", "name": "World index", "amount": 1500},
            )
        if offset == 9:
            api.call(
                "POST",
                "/api/v1/me/engines",
                {"type": "CAREER", "name": "Day job", "status": "ACTIVE", "monthly_output": 3200},
            )
        if offset == 16:
            api.call(
                "POST",
                "/api/v1/me/engines",
                {
                    "type": "BUSINESS",
                    "name": "Pottery stall",
                    "status": "ACTIVE",
                    "monthly_output": 450,
                },
            )
    morning = T0 + timedelta(days=21)
    api.at(morning)
    api.call(
        "POST", "/api/v1/me/sleep", {"date": morning.date().isoformat(), "hours": 7.5, "quality": 8}
    )
    return morning


async def test_today_after_three_weeks_at_360_and_1280_light_and_dark(
    script: tuple[LiveServer, Script], new_context: NewContext
) -> None:
    server, api = script
    api.at(T0)
    api.set_up(ANSWERS)
    live_three_weeks(api)
    for scheme in ("light", "dark"):
        context = await new_context(base_url=server.url, color_scheme=scheme)
        page = await context.new_page()
        await sign_in(page, "ada")
        await expect(page.get_by_role("heading", level=1)).to_have_text("Good morning, ada")
        await expect(page.locator("#milestones .is-reached")).to_have_count(2)
        await expect(page.locator("#engines")).to_contain_text("Pottery stall")
        await expect(page.locator("#recent .activity-item")).to_have_count(5)
        # The XP picture has a bar for each day with XP: 21 days less three rest-only Sundays.
        await expect(page.locator(".chart-xp rect.chart-bar")).to_have_count(18)
        await expect(page.locator(".chart-energy rect.chart-restored")).to_have_count(14)
        suffix = "" if scheme == "light" else "-dark"
        await screenshot(page, f"today{suffix}")
