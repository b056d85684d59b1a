"""Invites that travel, members an admin manages, one's data and backups on Settings (issue 21
§2 and §5), in a real Chromium on a phone (360 px) and a laptop (1280 px)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Locator, Page, expect

from tests.browser.conftest import Household, LiveServer, NewContext
from tests.browser.support import ARTIFACTS, PASSWORD, api, ready_player, screenshot, sign_in

pytestmark = pytest.mark.browser

WIDTHS = [pytest.param(360, id="phone"), pytest.param(1280, id="laptop")]
CODE = re.compile(r"^[2-9A-HJKMNP-TV-Z]{4}(-[2-9A-HJKMNP-TV-Z]{4}){3}$")
NEW_PASSWORD = "a brand new passphrase"


def _text(path: Path) -> str:
    return path.read_text()


def _size(path: Path) -> int:
    return path.stat().st_size


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def _viewport(width: int) -> dict[str, int]:
    return {"width": width, "height": 740 if width < 600 else 800}


async def _admin(new_context: NewContext, household: Household, width: int) -> Page:
    page = await (await new_context(viewport=_viewport(width))).new_page()
    await sign_in(page, household.admin)
    await page.goto("/settings")
    return page


async def _fits(locator: Locator) -> bool:
    """Nothing of the element's content is cut off sideways."""
    return bool(await locator.evaluate("el => el.scrollWidth <= el.clientWidth + 1"))


async def _page_fits(page: Page, width: int) -> None:
    """Nothing of the page's content runs past the screen's right edge."""
    over = await page.evaluate(
        "w => [...document.querySelectorAll('main *')]"
        ".filter(e => e.getBoundingClientRect().right > w + 1)"
        ".slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id)",
        width,
    )
    assert over == [], f"wider than the {width} px screen: {over}"


def _member_row(page: Page, username: str) -> Locator:
    return (
        page.get_by_role("list", name="Members")
        .get_by_role("listitem")
        .filter(has=page.get_by_text(username, exact=True))
    )


@pytest.mark.parametrize("width", WIDTHS)
async def test_invite_link_qr_pending_list_and_revoke(
    household: Household, new_context: NewContext, width: int
) -> None:
    admin = await _admin(new_context, household, width)
    invites = admin.locator("#invites")
    await invites.get_by_role("button", name="Create an invite", exact=True).click()
    await expect(invites.get_by_role("status")).to_contain_text("It works once, until")
    code_field = invites.get_by_label("Invite code")
    code = await code_field.input_value()
    assert CODE.match(code), code
    link_field = invites.get_by_label("Invite link")
    link = await link_field.input_value()
    assert link == f"{household.server.url}/join?code={code}"
    await expect(invites.get_by_role("img", name="QR code of the link")).to_be_visible()
    assert await _fits(code_field), "the invite code is cut off"
    assert await _fits(link_field), "the invite link is cut off"
    await _page_fits(admin, width)

    pending = invites.get_by_role("list", name="Pending invites")
    hint = code[:4]
    row = pending.get_by_role("listitem").filter(has_text=f"{hint}-…")
    await expect(row).to_have_count(1)
    await expect(row).to_contain_text("by ada")
    await screenshot(admin, "settings", widths=(width,))
    # The Invite card alone (for docs/screenshots/), cut from the whole page: the sticky
    # header stays at the top of the page instead of over the card.
    await admin.evaluate("window.scrollTo(0, 0)")
    box = await invites.evaluate(
        "e => { const r = e.getBoundingClientRect();"
        " return {x: r.left, y: r.top + window.scrollY, width: r.width, height: r.height}; }"
    )
    await admin.screenshot(
        path=str(ARTIFACTS / f"settings-invites-{width}.png"), full_page=True, clip=box
    )

    # Settings reloaded: the code is gone (it is shown once), the pending invite is not.
    await admin.goto("/settings")
    await expect(row).to_have_count(1)
    await row.get_by_text("Revoke…").click()
    await row.get_by_role("button", name=f"Revoke invite {hint}").click()
    await expect(invites.get_by_role("status")).to_contain_text("Invite revoked")
    await expect(pending.get_by_role("listitem").filter(has_text=f"{hint}-…")).to_have_count(0)

    # The revoked link no longer lets anyone in.
    stranger = await (await new_context(viewport=_viewport(width))).new_page()
    await stranger.goto(link)
    await stranger.get_by_label("Username").fill(f"late{width}")
    await stranger.get_by_label("Email").fill(f"late{width}@example.org")
    await stranger.get_by_label("Password", exact=True).fill(PASSWORD)
    await stranger.get_by_role("button", name="Join").click()
    await expect(stranger.locator("#f-invite-code-error")).to_contain_text("not valid")


@pytest.mark.parametrize("width", WIDTHS)
async def test_joining_through_the_invite_link(
    household: Household, new_context: NewContext, width: int
) -> None:
    response = household.api.post("/api/v1/household/invites")
    link = response.json()["link"]
    phone = await (await new_context(viewport=_viewport(width))).new_page()
    await phone.goto(link)
    await expect(phone.get_by_label("Invite code")).to_have_value(response.json()["code"])
    await _page_fits(phone, width)
    await phone.get_by_label("Username").fill(f"linked{width}")
    await phone.get_by_label("Email").fill(f"linked{width}@example.org")
    await phone.get_by_label("Password", exact=True).fill(PASSWORD)
    await phone.get_by_role("button", name="Join").click()
    await expect(phone).to_have_url(f"{household.server.url}/")
    await expect(phone.get_by_role("status").first).to_contain_text(f"Welcome, linked{width}")


@pytest.mark.parametrize("width", WIDTHS)
async def test_removing_a_member_offers_their_export_first(
    household: Household, new_context: NewContext, width: int
) -> None:
    leaver = household.new_member(f"leaver{width}x")
    admin = await _admin(new_context, household, width)
    row = _member_row(admin, leaver)
    await row.get_by_text("Remove…").click()
    async with admin.expect_download() as download_info:
        await row.get_by_role("button", name=f"Download {leaver}’s data").click()
    download = await download_info.value
    assert download.suggested_filename.startswith(f"lifeworld-export-{leaver}-")
    document = json.loads(_text(await download.path()))
    assert document["format"] and "player" in document

    await row.get_by_label(re.compile("to confirm")).fill("someone else")
    await row.get_by_role("button", name=f"Remove {leaver}").click()
    members = admin.locator("#members")
    await expect(members.get_by_role("alert")).to_contain_text("Not removed")
    await expect(_member_row(admin, leaver)).to_have_count(1)

    row = _member_row(admin, leaver)
    await row.get_by_text("Remove…").click()
    await row.get_by_label(re.compile("to confirm")).fill(leaver)
    await row.get_by_role("button", name=f"Remove {leaver}").click()
    await expect(members.get_by_role("status")).to_contain_text("was removed")
    await expect(_member_row(admin, leaver)).to_have_count(0)
    await _page_fits(admin, width)

    gone = await (await new_context()).new_page()
    await gone.goto("/login")
    await gone.get_by_label("Username or email").fill(leaver)
    await gone.get_by_label("Password", exact=True).fill(PASSWORD)
    await gone.get_by_role("button", name="Sign in").click()
    await expect(gone.get_by_role("alert")).to_contain_text("Wrong username")


@pytest.mark.parametrize("width", WIDTHS)
async def test_handing_the_admin_role_over(
    household: Household, new_context: NewContext, width: int
) -> None:
    heir = household.new_member(f"heir{width}x")
    admin = await _admin(new_context, household, width)
    row = _member_row(admin, heir)
    await row.get_by_text("Make admin…").click()
    await expect(row).to_contain_text("You stay admin too")
    await row.get_by_role("button", name=f"Hand admin over to {heir}").click()
    await expect(admin.locator("#members").get_by_role("status")).to_contain_text(
        "is now a household admin"
    )
    await expect(_member_row(admin, heir)).to_contain_text("admin")
    await expect(admin.locator("#invites")).to_be_visible()  # the owner stays admin

    new_admin = await (await new_context(viewport=_viewport(width))).new_page()
    await sign_in(new_admin, heir)
    await new_admin.goto("/settings")
    await expect(new_admin.get_by_role("heading", name="Invite to the household")).to_be_visible()
    await expect(new_admin.get_by_role("heading", name="Members")).to_be_visible()


@pytest.mark.parametrize("width", WIDTHS)
async def test_a_password_reset_link_is_used_by_the_member(
    household: Household, new_context: NewContext, width: int
) -> None:
    member = household.new_member(f"forgetful{width}x")
    old_device = await (await new_context()).new_page()
    await sign_in(old_device, member)

    admin = await _admin(new_context, household, width)
    row = _member_row(admin, member)
    await row.get_by_text("Reset password…").click()
    await row.get_by_role("button", name=f"Make a reset link for {member}").click()
    members = admin.locator("#members")
    await expect(members.get_by_role("status")).to_contain_text("It works once")
    link_field = members.get_by_label(f"Password reset link for {member}")
    link = await link_field.input_value()
    assert link.startswith(f"{household.server.url}/reset-password?token=")
    assert await _fits(link_field)
    await expect(members.get_by_role("img", name="QR code of the link")).to_be_visible()
    await _page_fits(admin, width)

    phone = await (await new_context(viewport=_viewport(width))).new_page()
    await phone.goto(link)
    await expect(phone.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    await expect(phone.locator("main")).to_contain_text(member)
    await phone.get_by_label("New password", exact=True).fill("short")
    await phone.get_by_role("button", name="Set the new password").click()
    await expect(phone.locator("#f-new-password-error")).to_contain_text("at least 10")
    await phone.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    await phone.get_by_role("button", name="Set the new password").click()
    await expect(phone).to_have_url(f"{household.server.url}/login")
    await expect(phone.get_by_role("status").first).to_contain_text("new password is set")
    await sign_in(phone, member, NEW_PASSWORD)
    await expect(phone).to_have_url(f"{household.server.url}/")

    await old_device.goto("/settings")  # signed out everywhere
    await expect(old_device).to_have_url(re.compile(r"/login"))

    again = await (await new_context()).new_page()
    await again.goto(link)
    await expect(again.get_by_role("alert")).to_contain_text("does not work any more")


@pytest.mark.parametrize("width", WIDTHS)
async def test_export_and_import_in_settings(
    household: Household, new_context: NewContext, width: int
) -> None:
    mover = household.new_member(f"mover{width}x")
    source = await (await new_context(viewport=_viewport(width))).new_page()
    await ready_player(source, mover)
    await api(source, "POST", "/api/v1/me/activities", {"type": "WORK_PROJECT"})
    await source.goto("/settings")
    data = source.locator("#data")
    async with source.expect_download() as download_info:
        await data.get_by_role("link", name="Download my data").click()
    download = await download_info.value
    exported = Path(await download.path())
    assert download.suggested_filename.startswith(f"lifeworld-export-{mover}-")
    assert json.loads(_text(exported))["activities"]

    # A fresh account takes it in; a second import is refused, in words, next to the field.
    newcomer = household.new_member(f"newcomer{width}x")
    target = await (await new_context(viewport=_viewport(width))).new_page()
    await sign_in(target, newcomer)
    await target.goto("/settings")
    data = target.locator("#data")
    await expect(data).to_contain_text("Only into a new player that has logged nothing yet")
    await data.get_by_label("Import an export file").set_input_files(exported)
    await data.get_by_role("button", name="Import my data", exact=True).click()
    await expect(target.locator("#data").get_by_role("status")).to_contain_text(
        "Your data was imported"
    )
    await _page_fits(target, width)
    await target.locator("#data").get_by_label("Import an export file").set_input_files(exported)
    await target.locator("#data").get_by_role("button", name="Import my data", exact=True).click()
    await expect(target.locator("#f-document-error")).to_be_visible()

    await target.goto("/settings")
    broken = _write(exported.with_name("broken.json"), '{"format": "something else"}')
    await target.locator("#data").get_by_label("Import an export file").set_input_files(broken)
    await target.locator("#data").get_by_role("button", name="Import my data", exact=True).click()
    await expect(target.locator("#f-document-error")).to_contain_text("not a Life World export")


@pytest.mark.parametrize("width", WIDTHS)
async def test_backups_made_listed_and_downloaded_by_the_owner(
    household: Household, new_context: NewContext, width: int
) -> None:
    admin = await _admin(new_context, household, width)
    backups = admin.locator("#backups")
    await backups.get_by_role("button", name="Make a backup now").click()
    await expect(backups.get_by_role("status")).to_contain_text("made")
    listed = backups.get_by_role("list", name="Backups").get_by_role("listitem")
    await expect(listed.first).to_contain_text("lifeworld-backup-")
    await _page_fits(admin, width)
    async with admin.expect_download() as download_info:
        await listed.first.get_by_role("link", name="Download").click()
    download = await download_info.value
    assert re.fullmatch(r"lifeworld-backup-\d{8}T\d{6}Z\.tar", download.suggested_filename)
    assert _size(await download.path()) > 1000

    for name in (
        "../../etc/passwd",
        "..%2F..%2Fserver.log",
        "server.log",
        "lifeworld-backup-x.tar",
    ):
        answer = await admin.request.get(f"/settings/backups/download?name={name}")
        assert answer.status == 404, name

    member = household.new_member(f"curious{width}x")
    other = await (await new_context()).new_page()
    await sign_in(other, member)
    await other.goto("/settings")
    await expect(other.get_by_role("heading", name="Backups")).to_have_count(0)
    refused = await other.request.get(
        f"/settings/backups/download?name={download.suggested_filename}"
    )
    assert refused.status == 403


async def test_restoring_a_backup_after_confirming(
    server_factory: Callable[[], LiveServer], new_context: NewContext
) -> None:
    server = server_factory()  # its own database: a restore puts back everything
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as api_client:
        setup = await api_client.post(
            "/api/v1/setup",
            json={"household_name": "The Lovelaces", "timezone": "Europe/London",
                  "username": "ada", "email": "ada@example.org", "password": PASSWORD},
        )  # fmt: skip
        assert setup.status_code == 201, setup.text
        api_client.headers["X-CSRF-Token"] = setup.json()["csrf_token"]
        admin = await (await new_context(base_url=server.url)).new_page()
        await sign_in(admin, "ada")
        await admin.goto("/settings")
        backups = admin.locator("#backups")
        await backups.get_by_role("button", name="Make a backup now").click()
        await expect(backups.get_by_role("status")).to_contain_text("made")

        # After the backup: someone joins.
        code = (await api_client.post("/api/v1/household/invites")).json()["code"]
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as newcomer:
            joined = await newcomer.post(
                "/api/v1/auth/register",
                json={"invite_code": code, "username": "later", "email": "later@example.org",
                      "password": PASSWORD},
            )  # fmt: skip
            assert joined.status_code == 201, joined.text

        await admin.goto("/settings")
        await expect(_member_row(admin, "later")).to_have_count(1)
        listed = backups.get_by_role("list", name="Backups").get_by_role("listitem")
        await listed.first.get_by_text("Restore…").click()
        await listed.first.get_by_label(re.compile("to confirm")).fill("yes")
        await listed.first.get_by_role("button", name="Restore this backup").click()
        await expect(backups.get_by_role("alert")).to_contain_text("Nothing was restored")
        await expect(_member_row(admin, "later")).to_have_count(1)

        await listed.first.get_by_text("Restore…").click()
        await listed.first.get_by_label(re.compile("to confirm")).fill("restore")
        await listed.first.get_by_role("button", name="Restore this backup").click()
        status = backups.get_by_role("status")
        await expect(status).to_contain_text("Restored lifeworld-backup-")
        await expect(status).to_contain_text("is kept as lifeworld-backup-")
        await expect(_member_row(admin, "later")).to_have_count(0)
        await expect(listed).to_have_count(2)
        gone = await api_client.post(
            "/api/v1/auth/login", json={"login": "later", "password": PASSWORD}
        )
        assert gone.status_code == 401
