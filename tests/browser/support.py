"""Helpers of the browser tests: signing in, screenshots, reading forms."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Page

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "correct horse battery"


async def screenshot(page: Page, name: str, *, widths: tuple[int, ...] = (360, 1280)) -> None:
    """Full-page screenshots at each width into test-artifacts/ (not committed)."""
    ARTIFACTS.mkdir(exist_ok=True)
    original = page.viewport_size or {"width": 1280, "height": 800}
    for width in widths:
        await page.set_viewport_size({"width": width, "height": 800 if width > 600 else 740})
        await page.evaluate("window.scrollTo(0, 0)")
        await page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
    await page.set_viewport_size(original)


async def sign_in(page: Page, username: str, password: str = PASSWORD) -> None:
    """Sign in through the login page and wait for the page after it."""
    await page.goto("/login")
    await page.get_by_label("Username or email").fill(username)
    await page.get_by_label("Password", exact=True).fill(password)
    async with page.expect_navigation():
        await page.get_by_role("button", name="Sign in").click()
