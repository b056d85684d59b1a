"""Every page usable by everyone (issue 18 §4): axe-core finds nothing serious on any page, and a
keyboard reaches every control with a visible focus that no bar covers.

axe-core is the npm package pinned in tests/browser/package.json (`npm ci --prefix tests/browser`,
which scripts/test.sh runs), injected from disk: never a CDN. Its contexts bypass the pages'
Content-Security-Policy, which (rightly) refuses a script the page did not bring. /connect is
visited in a context whose console is not checked: over plain HTTP its trust check fails by design.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, BrowserContext, Page

from tests.browser.conftest import Household, LiveServer, NewContext
from tests.browser.support import QUESTIONNAIRE, sign_in

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 360, "height": 740}
LAPTOP = {"width": 1280, "height": 800}

SIGNED_OUT_PAGES = ("/login", "/join", "/offline", "/no-such-page")
SIGNED_IN_PAGES = (
    "/",
    "/activities",
    "/energy",
    "/training",
    "/loadouts",
    "/investments",
    "/rebalancing",
    "/engines",
    "/places?description=quiet+cafe&city=London",
    "/household",
    "/admin",
    "/settings",
    "/system",
    "/how-it-works",
    "/no-such-page",
)

RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({
      rule: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ") + " — " + n.failureSummary),
    }));
}"""

# What the focused element looks like: where it is, whether a bar covers it, its focus ring.
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const box = el.getBoundingClientRect();
  const name = (el.getAttribute("aria-label") || el.textContent || el.getAttribute("name") ||
    el.id || "").trim().replace(/\\s+/g, " ").slice(0, 60);
  const where = `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""} “${name}”`;
  const bars = [...document.querySelectorAll(".topbar, .tabbar")].filter((bar) => {
    const r = bar.getBoundingClientRect();
    return getComputedStyle(bar).display !== "none" && r.height > 0;
  });
  const problems = [];
  // A bar covers the element when, at one of five points inside it, the bar is what is drawn.
  const points = [[0.5, 0.5], [0.1, 0.1], [0.9, 0.1], [0.1, 0.9], [0.9, 0.9]];
  for (const bar of bars) {
    if (bar.contains(el)) continue;
    const under = points.some(([fx, fy]) => {
      const px = box.left + box.width * fx, py = box.top + box.height * fy;
      if (px < 0 || py < 0 || px >= innerWidth || py >= innerHeight) return false;
      const top = document.elementFromPoint(px, py);
      return top && bar.contains(top);
    });
    if (under) problems.push(`under the ${bar.className.split(" ")[0]}`);
  }
  if (box.bottom <= 0 || box.top >= innerHeight) problems.push("outside the window");
  const x = Math.min(Math.max(box.left + box.width / 2, 0), innerWidth - 1);
  const y = Math.min(Math.max(box.top + box.height / 2, 0), innerHeight - 1);
  const hit = document.elementFromPoint(x, y);
  const holder = el.closest("label, .choice, summary") || el;
  const labels = el.labels ? [...el.labels] : [];
  const seen = hit && (el.contains(hit) || holder.contains(hit) ||
    labels.some((l) => l.contains(hit)) || hit.contains(el));
  const cover = hit ? hit.tagName.toLowerCase() + "." + hit.className : "nothing";
  if (!seen) problems.push(`covered by ${cover}`);
  const ring = (node) => {
    const s = getComputedStyle(node);
    const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2;
    return outline || (s.boxShadow && s.boxShadow !== "none");
  };
  if (!ring(el) && !ring(holder) && !labels.some(ring)) problems.push("no visible focus ring");
  return {where, problems};
}"""

TAB_LIMIT = 250  # more stops than any page has: a loop that never ends is a failure too


def _axe_script() -> Path:
    if not AXE.exists():
        pytest.fail(
            f"{AXE} is missing: install the browser tests' npm packages with "
            "`npm ci --prefix tests/browser` (./scripts/test.sh does)."
        )
    return AXE


async def _ready_admin(context: BrowserContext, household: Household) -> Page:
    """The household's admin (who owns the instance), signed in, questionnaire answered."""
    page = await context.new_page()
    await sign_in(page, household.admin)
    csrf = await page.locator("body").get_attribute("data-csrf")
    answer = await page.request.post(
        "/api/v1/me/questionnaire", headers={"X-CSRF-Token": csrf or ""}, data=QUESTIONNAIRE
    )
    assert answer.status in (200, 409), await answer.text()  # 409: answered by another test
    return page


async def _violations(page: Page, path: str) -> list[str]:
    await page.goto(path)
    await page.add_script_tag(path=str(_axe_script()))
    found: list[dict[str, Any]] = await page.evaluate(RUN_AXE)
    return [f"{path}: {json.dumps(v, ensure_ascii=False, indent=1)}" for v in found]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["360", "1280"])
async def test_no_serious_axe_violations_on_any_page(
    household: Household,
    new_context: NewContext,
    browser: Browser,
    live_server: LiveServer,
    viewport: dict[str, int],
    scheme: str,
) -> None:
    problems: list[str] = []
    visitor = await (
        await new_context(viewport=viewport, color_scheme=scheme, bypass_csp=True)
    ).new_page()
    for path in SIGNED_OUT_PAGES:
        problems += await _violations(visitor, path)
    newcomer = await (
        await new_context(viewport=viewport, color_scheme=scheme, bypass_csp=True)
    ).new_page()
    await sign_in(newcomer, household.new_member("axe"))
    problems += await _violations(newcomer, "/welcome")  # the questionnaire
    admin = await _ready_admin(
        await new_context(viewport=viewport, color_scheme=scheme, bypass_csp=True), household
    )
    for path in SIGNED_IN_PAGES:
        problems += await _violations(admin, path)
    connect = await browser.new_context(
        base_url=live_server.url, viewport=viewport, color_scheme=scheme, bypass_csp=True
    )
    try:
        problems += await _violations(await connect.new_page(), "/connect")
        await sign_in(await connect.new_page(), household.admin)
        problems += await _violations(await connect.new_page(), "/connect")
    finally:
        await connect.close()
    assert problems == [], "serious or critical axe violations:\n" + "\n".join(problems)


async def _tab_through(page: Page, path: str, key: str) -> list[str]:
    """Press `key` from the top (Tab) or the bottom (Shift+Tab) until focus leaves the page."""
    await page.goto(path)
    await page.evaluate("document.activeElement && document.activeElement.blur()")
    if key == "Shift+Tab":
        await page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    problems: list[str] = []
    first: str | None = None
    for _ in range(TAB_LIMIT):
        await page.keyboard.press(key)
        focused = await page.evaluate(FOCUSED)
        if focused is None:
            return problems
        if focused["where"] == first:
            return problems  # round again: every stop was seen
        first = first or focused["where"]
        problems += [f"{path} ({key}) {focused['where']}: {p}" for p in focused["problems"]]
    return [*problems, f"{path} ({key}): focus never left the page after {TAB_LIMIT} stops"]


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["360", "1280"])
async def test_every_focused_control_is_visible_and_not_under_a_bar(
    household: Household, new_context: NewContext, viewport: dict[str, int]
) -> None:
    problems: list[str] = []
    visitor = await (await new_context(viewport=viewport)).new_page()
    for path in ("/login", "/join"):
        for key in ("Tab", "Shift+Tab"):
            problems += await _tab_through(visitor, path, key)
    newcomer = await (await new_context(viewport=viewport)).new_page()
    await sign_in(newcomer, household.new_member("keys"))
    for key in ("Tab", "Shift+Tab"):
        problems += await _tab_through(newcomer, "/welcome", key)
    admin = await _ready_admin(await new_context(viewport=viewport), household)
    for path in SIGNED_IN_PAGES:
        for key in ("Tab", "Shift+Tab"):
            problems += await _tab_through(admin, path, key)
    assert problems == [], "focus problems:\n" + "\n".join(problems)
