"""Helpers of the browser tests: signing in, screenshots, reading forms."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.async_api import Page

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "correct horse battery"


PART_HEIGHT = 1100  # phone screenshots are also cut in parts that an image viewer shows 1:1


async def screenshot(page: Page, name: str, *, widths: tuple[int, ...] = (360, 1280)) -> None:
    """Full-page screenshots at each width into test-artifacts/ (not committed).

    Narrow pages are also saved in parts (`<name>-360-part<n>.png`), since a whole phone page
    shrinks too much to judge when viewed as one image.
    """
    ARTIFACTS.mkdir(exist_ok=True)
    original = page.viewport_size or {"width": 1280, "height": 800}
    for width in widths:
        await page.set_viewport_size({"width": width, "height": 800 if width > 600 else 740})
        await page.evaluate("window.scrollTo(0, 0)")
        await page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
        if width <= 600:
            height = int(await page.evaluate("document.documentElement.scrollHeight"))
            for part, top in enumerate(range(0, height, PART_HEIGHT)):
                clip = {"x": 0, "y": top, "width": width, "height": min(PART_HEIGHT, height - top)}
                path = ARTIFACTS / f"{name}-{width}-part{part}.png"
                await page.screenshot(path=str(path), full_page=True, clip=clip)  # type: ignore[arg-type]
    await page.set_viewport_size(original)


async def sign_in(page: Page, username: str, password: str = PASSWORD) -> None:
    """Sign in through the login page and wait for the page after it."""
    await page.goto("/login")
    await page.get_by_label("Username or email").fill(username)
    await page.get_by_label("Password", exact=True).fill(password)
    async with page.expect_navigation():
        await page.get_by_role("button", name="Sign in").click()


QUESTIONNAIRE = {
    "life_phase": "SPRING",
    "months_saved": 3,
    "health": "strong",
    "income_sources": 2,
    "purpose": "strong",
    "options": 4,
    "stress": "high",
    "experience": "some",
}


async def api(page: Page, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """Call the JSON API as the signed-in page (its cookie and CSRF token); returns the JSON."""
    csrf = await page.locator("body").get_attribute("data-csrf")
    assert csrf, "sign in first: the page carries no CSRF token"
    response = await page.request.fetch(
        path, method=method, headers={"X-CSRF-Token": csrf}, data=body
    )
    assert response.ok, f"{method} {path}: {response.status} {await response.text()}"
    return await response.json() if response.status != 204 else None


async def ready_player(page: Page, username: str, **answers: Any) -> None:
    """Sign in and answer the questionnaire through the API (for tests about other screens)."""
    await sign_in(page, username)
    await api(page, "POST", "/api/v1/me/questionnaire", {**QUESTIONNAIRE, **answers})
    await page.goto("/")
