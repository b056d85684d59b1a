"""Logging away from home (issue 18 §3, docs/OFFLINE.md), on a phone's terms: the app reached by
name over HTTPS the browser trusts, its service worker in control, then the network cut with
`context.set_offline(True)`. Activities logged offline wait in IndexedDB, survive a reload and a
closed page, and are sent once each when the connection returns; a refusal is shown.
"""

from __future__ import annotations

import re
import ssl
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import BrowserContext, Page, Route, expect

from tests.browser import test_https_install as https_install
from tests.browser.support import PASSWORD, QUESTIONNAIRE

pytestmark = pytest.mark.browser

# The phone of test_https_install: the server by name over HTTPS, the home CA trusted.
https_server = https_install.https_server
phone = https_install.phone

Server = tuple[str, Path]


def _member(server: Server, username: str) -> None:
    """A player of the server's household (the first one sets it up), by the API."""
    base, ca = server
    port = base.rsplit(":", 1)[1]
    with httpx.Client(
        base_url=f"https://127.0.0.1:{port}", verify=ssl.create_default_context(cafile=ca)
    ) as api:
        setup = api.post(
            "/api/v1/setup",
            json={
                "household_name": "Away",
                "timezone": "UTC",
                "username": "owner",
                "email": "owner@example.org",
                "password": PASSWORD,
            },
        )
        if setup.status_code != 201:  # set up by an earlier test: sign the owner in
            signed = api.post("/api/v1/auth/login", json={"login": "owner", "password": PASSWORD})
            assert signed.status_code == 200, signed.text
            setup = signed
        api.headers["X-CSRF-Token"] = setup.json()["csrf_token"]
        code = api.post("/api/v1/household/invites").json()["code"]
        joined = api.post(
            "/api/v1/auth/register",
            json={
                "invite_code": code,
                "username": username,
                "email": f"{username}@example.org",
                "password": PASSWORD,
            },
        )
        assert joined.status_code == 201, joined.text


async def _api(page: Page, method: str, path: str, body: Any = None) -> Any:
    """The JSON API from inside the page: the browser's resolver, trust, cookie and CSRF."""
    status, data = await page.evaluate(
        """async ([method, path, body]) => {
            const headers = {"X-CSRF-Token": document.body.dataset.csrf || ""};
            const init = {method, headers, credentials: "same-origin"};
            if (body !== null) {
                headers["Content-Type"] = "application/json";
                init.body = JSON.stringify(body);
            }
            const r = await fetch(path, init);
            return [r.status, await r.json()];
        }""",
        [method, path, body],
    )
    assert 200 <= status < 300, f"{method} {path}: {status} {data}"
    return data


async def _ready(phone: BrowserContext, server: Server, username: str) -> Page:
    """Signed in with the questionnaire done, on Today, the service worker in control (so
    Today is saved for offline use)."""
    base, _ = server
    _member(server, username)
    page = phone.pages[0] if phone.pages else await phone.new_page()
    await page.goto(f"{base}/login")
    await page.get_by_label("Username or email").fill(username)
    await page.get_by_label("Password", exact=True).fill(PASSWORD)
    async with page.expect_navigation():
        await page.get_by_role("button", name="Sign in").click()
    await _api(page, "POST", "/api/v1/me/questionnaire", QUESTIONNAIRE)
    await page.goto(f"{base}/")
    assert await page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    await page.reload()
    assert await page.evaluate("navigator.serviceWorker.controller !== null")
    return page


def _quick(page: Page, kind: str) -> Any:
    return page.locator(f"#quick button.quick-btn[value={kind}]")


async def _activities(page: Page) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = (await _api(page, "GET", "/api/v1/me/activities"))["items"]
    return items


async def test_three_logged_offline_survive_a_reload_and_are_recorded_once(
    https_server: Server, phone: BrowserContext
) -> None:
    page = await _ready(phone, https_server, "walker")
    kinds = ["EXERCISE", "LEARNING", "SAVE_EXPENSES"]
    # What the rules give each right now (the same numbers the quick buttons show).
    expected = {}
    for kind in kinds:
        preview = await _api(page, "POST", "/api/v1/me/activities/preview", {"type": kind})
        expected[kind] = preview["activity"]["xp_gained"]["overall"]
        assert expected[kind] > 0

    await phone.set_offline(True)
    await page.reload()  # the saved Today, marked with the time it was saved
    sync = page.locator("[data-sync]")
    await expect(sync).to_contain_text(re.compile(r"Offline since \d\d:\d\d\."))
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Good")

    for count, kind in enumerate(kinds, start=1):
        await _quick(page, kind).click()
        waiting = "1 activity" if count == 1 else f"{count} activities"
        await expect(sync).to_contain_text(f"{waiting} waiting to be sent")

    await page.reload()  # still offline: the queue is on the device, not in the page
    await expect(sync).to_contain_text("3 activities waiting to be sent")
    await expect(sync).to_contain_text("Offline since")

    await phone.set_offline(False)
    await expect(sync).to_contain_text("Sent from this device")
    await expect(sync).not_to_contain_text("waiting to be sent")
    for kind in kinds:
        await expect(sync).to_contain_text(f"logged, +{expected[kind]:,} XP")

    recorded = await _activities(page)
    assert sorted(a["type"] for a in recorded) == sorted(kinds)  # each exactly once
    for activity in recorded:
        assert activity["xp_gained"]["overall"] == expected[activity["type"]]
        assert activity["late"] is False
    # Recorded in the order they were logged, at the times they were logged.
    in_order = sorted(recorded, key=lambda a: a["id"])
    assert [a["type"] for a in in_order] == kinds
    times = [a["occurred_at"] for a in in_order]
    assert times == sorted(times)

    await sync.get_by_role("button", name="OK").click()
    await expect(sync).to_be_hidden()


async def test_a_page_closed_with_a_queue_sends_it_on_the_next_visit(
    https_server: Server, phone: BrowserContext
) -> None:
    base, _ = https_server
    page = await _ready(phone, https_server, "closer")
    await phone.set_offline(True)
    await page.reload()
    await _quick(page, "LEARNING").click()
    await expect(page.locator("[data-sync]")).to_contain_text("1 activity waiting to be sent")
    await page.close()

    await phone.set_offline(False)
    again = await phone.new_page()
    await again.goto(f"{base}/")
    sync = again.locator("[data-sync]")
    await expect(sync).to_contain_text(re.compile(r"Learning \(\d\d:\d\d\): logged, \+[\d,]+ XP"))
    recorded = await _activities(again)
    assert [a["type"] for a in recorded] == ["LEARNING"]


async def test_a_refusal_is_shown_and_leaves_the_queue(
    https_server: Server, phone: BrowserContext
) -> None:
    page = await _ready(phone, https_server, "worker")
    state = await _api(page, "GET", "/api/v1/me/state")
    usable = state["energy"]["usable"]
    preview = await _api(page, "POST", "/api/v1/me/activities/preview", {"type": "WORK_PROJECT"})
    cost = preview["activity"]["energy_used"]
    fits = usable // cost  # the next one is refused: not enough energy

    await phone.set_offline(True)
    await page.reload()
    sync = page.locator("[data-sync]")
    for _ in range(fits + 1):
        await _quick(page, "WORK_PROJECT").click()
    await expect(sync).to_contain_text(f"{fits + 1} activities waiting to be sent")

    await phone.set_offline(False)
    await expect(sync).to_contain_text("not logged. Not enough energy")
    await expect(sync).not_to_contain_text("waiting to be sent")
    await expect(sync.locator(".sync-recorded")).to_have_count(fits)
    await expect(sync.locator(".sync-refused")).to_have_count(1)
    assert len(await _activities(page)) == fits
    waiting = await page.evaluate("LifeWorldQueue.waiting().then((w) => w.length)")
    assert waiting == 0


async def test_a_custom_activity_logged_offline_and_the_saved_pages_gone_at_sign_out(
    https_server: Server, phone: BrowserContext
) -> None:
    base, _ = https_server
    page = await _ready(phone, https_server, "maker")
    body = {"type": "CUSTOM", "description": "Fixed the bike", "custom_xp": {"overall": 120}}
    preview = await _api(page, "POST", "/api/v1/me/activities/preview", body)
    xp = preview["activity"]["xp_gained"]["overall"]
    await page.goto(f"{base}/activities")  # saved too, for the custom form

    await phone.set_offline(True)
    await page.reload()
    sync = page.locator("[data-sync]")
    await expect(sync).to_contain_text("Offline since")
    custom = page.locator("#custom")
    await custom.get_by_label("What did you do?").fill("Fixed the bike")
    await custom.get_by_label("Overall XP").fill("120")
    await custom.get_by_role("button", name="Log it").click()
    await expect(sync).to_contain_text("1 activity waiting to be sent")

    await phone.set_offline(False)
    await expect(sync).to_contain_text("Fixed the bike (")
    await expect(sync).to_contain_text(f"logged, +{xp:,} XP")
    [recorded] = await _activities(page)
    assert recorded["type"] == "CUSTOM" and recorded["description"] == "Fixed the bike"
    assert recorded["xp_gained"]["overall"] == xp

    assert await page.evaluate("caches.has('lifeworld-pages')")
    async with page.expect_navigation():
        await page.evaluate("document.querySelector('form[action=\"/logout\"]').requestSubmit()")
    await expect(page).to_have_url(re.compile(r"/login"))
    assert not await page.evaluate("caches.has('lifeworld-pages')")


async def test_an_answer_lost_on_the_way_back_is_not_logged_twice(
    https_server: Server, phone: BrowserContext
) -> None:
    """The phone is online, the server records the quick action, and the answer is lost (the
    phone walked out of the WiFi): the page queues it, and the queued copy is not logged again.
    Tapped again, it is a new activity."""
    base, ca = https_server
    page = await _ready(phone, https_server, "tunnel")
    answers: list[int] = []

    async def lose_the_first_answer(route: Route) -> None:
        if route.request.method != "POST" or answers:
            await route.continue_()
            return
        # The server records it (sent from here: only the browser resolves lifeworld.test) …
        headers = await route.request.all_headers()
        headers.pop("content-length", None)
        headers["host"] = base.removeprefix("https://")
        port = base.rsplit(":", 1)[1]
        verify = ssl.create_default_context(cafile=ca)
        async with httpx.AsyncClient(verify=verify) as direct:
            answered = await direct.post(
                f"https://127.0.0.1:{port}/activities",
                content=route.request.post_data_buffer,
                headers=headers,
            )
        answers.append(answered.status_code)
        await route.abort("connectionreset")  # … and the phone never hears back

    await page.route("**/activities", lose_the_first_answer)
    await _quick(page, "EXERCISE").click()
    sync = page.locator("[data-sync]")
    await expect(sync).to_contain_text("1 activity waiting to be sent")
    assert answers == [303]
    assert [a["type"] for a in await _activities(page)] == ["EXERCISE"]

    # The form got a new nonce: tapping it again, the answer arriving, is a second activity.
    await page.unroute("**/activities")
    await _quick(page, "EXERCISE").click()
    await expect(page.locator("main").get_by_role("status").first).to_contain_text(
        "Exercise logged"
    )
    assert [a["type"] for a in await _activities(page)] == ["EXERCISE", "EXERCISE"]

    await page.reload()  # the queue is sent on load: its copy of the first is not logged again
    await expect(sync).to_contain_text(
        re.compile(r"Exercise \(\d\d:\d\d\): logged, when it was first sent .* not a second time")
    )
    await expect(sync).not_to_contain_text("waiting to be sent")
    assert [a["type"] for a in await _activities(page)] == ["EXERCISE", "EXERCISE"]
