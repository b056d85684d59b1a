"""The app on a phone's terms: reached by a name (not localhost) over HTTPS that the browser
trusts because the home CA is in its trust store, as on a phone that installed it from the
Connect a phone page. No `ignore_https_errors`: a secure context, an active service worker
controlling the page, a valid manifest, and Chromium's own verdict that it is installable.

The server is `lifeworld serve` with TLS on (the real listener), named `lifeworld.test` through
Chromium's host resolver rules. Chromium on Linux reads the user's trust anchors from the NSS
database in $HOME/.pki/nssdb: the test browser gets a HOME of its own holding one made by
certutil (Debian's libnss3-tools) with the home CA in it.
"""

from __future__ import annotations

import json
import shutil
import ssl
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest
from playwright.async_api import BrowserContext, Page, async_playwright, expect

from lifeworld.db import migrate
from tests.browser.conftest import CHROMIUM_ARGS
from tests.faults.harness import SECRET, AppProcess, app_environment, free_port

pytestmark = pytest.mark.browser

NAME = "lifeworld.test"
LIFEWORLD = str(Path(sys.executable).parent / "lifeworld")


@pytest.fixture(scope="module")
def https_server(
    tmp_path_factory: pytest.TempPathFactory, create_database: Any
) -> Iterator[tuple[str, Path]]:
    """`lifeworld serve` with its home CA, answering to https://lifeworld.test:PORT."""
    url = create_database("lifeworld_https_browser")
    migrate.upgrade(url)
    tmp = tmp_path_factory.mktemp("https-browser")
    port = free_port()
    env = app_environment(
        env="test", database_url=url, secret_key=SECRET, data_dir=str(tmp / "data"),
        log_level="warning", mdns="off", public_url=f"https://{NAME}:{port}",
    )  # fmt: skip
    command = [LIFEWORLD, "serve", "--host", "127.0.0.1", "--port", str(port), "--no-migrate"]
    app = AppProcess("serve", port, env, tmp / "serve.log", command=command)
    assert app.command is not None
    with app.log.open("wb") as out:
        app.proc = subprocess.Popen(
            app.command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=tmp,
            start_new_session=True,
        )  # fmt: skip
    ca = tmp / "data" / "tls" / "home-ca.crt"
    try:
        _wait_for_https(app, ca)
        yield f"https://{NAME}:{port}", ca
    finally:
        app.stop()


def _wait_for_https(app: AppProcess, ca: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert app.proc is not None
        if app.proc.poll() is not None:
            pytest.fail(f"lifeworld serve exited:\n{app.tail()}")
        try:
            verify = ssl.create_default_context(cafile=ca)
            if httpx.get(f"https://127.0.0.1:{app.port}/api/v1/ping", verify=verify).is_success:
                return
        except (httpx.HTTPError, OSError):
            pass
        time.sleep(0.1)
    pytest.fail(f"lifeworld serve did not answer over HTTPS:\n{app.tail()}")


def _trust_store(home: Path, ca: Path) -> None:
    """$HOME/.pki/nssdb with the home CA trusted for servers, as Chromium on Linux reads it."""
    certutil = shutil.which("certutil")
    if certutil is None:
        pytest.fail("certutil is needed: apt install libnss3-tools (scripts/test.sh installs it)")
    db = home / ".pki" / "nssdb"
    db.mkdir(parents=True)
    for argv in (
        ["-N", "--empty-password"],
        ["-A", "-n", "Life World OS home CA", "-t", "C,,", "-i", str(ca)],
    ):
        done = subprocess.run([certutil, "-d", f"sql:{db}", *argv], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr


@pytest.fixture
async def phone(
    https_server: tuple[str, Path], chromium: str, tmp_path: Path
) -> AsyncIterator[BrowserContext]:
    """A Chromium that trusts the home CA, with a profile on disk (installability is never
    offered in an off-the-record profile, which Playwright's new_context is)."""
    _, ca = https_server
    home = tmp_path / "home"
    _trust_store(home, ca)
    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=chromium,
            headless=True,
            args=[*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {NAME} 127.0.0.1"],
            env={"HOME": str(home), "PATH": "/usr/bin:/bin"},
            viewport={"width": 412, "height": 915},
        )
        context.set_default_timeout(15_000)
        try:
            yield context
        finally:
            await context.close()


async def _fetch(page: Page, url: str) -> tuple[bool, str, str]:
    """GET from inside the page (the browser's own resolver and trust, not Playwright's)."""
    result: list[Any] = await page.evaluate(
        """async (url) => {
            const r = await fetch(url);
            return [r.ok, r.headers.get("content-type") || "", await r.text()];
        }""",
        url,
    )
    return bool(result[0]), str(result[1]), str(result[2])


async def test_installable_over_trusted_https_by_name(
    https_server: tuple[str, Path], phone: BrowserContext
) -> None:
    base, _ = https_server
    page = phone.pages[0] if phone.pages else await phone.new_page()
    response = await page.goto(f"{base}/login")
    assert response is not None and response.status == 200
    assert page.url.startswith(f"https://{NAME}:")
    assert await page.evaluate("window.isSecureContext") is True

    # The service worker installs, activates and controls the page from the next load.
    scope = await page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
    assert scope == f"{base}/"
    await page.reload()
    assert await page.evaluate("navigator.serviceWorker.controller !== null")
    state = await page.evaluate("navigator.serviceWorker.controller.state")
    assert state == "activated"

    # The manifest the page links, and every icon it names.
    href = await page.locator("link[rel=manifest]").get_attribute("href")
    assert href is not None
    manifest_url = urljoin(page.url, href)
    manifest = json.loads((await _fetch(page, manifest_url))[2])
    assert manifest["name"] == "Life World OS" and manifest["short_name"]
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
    purposes = {icon["purpose"] for icon in manifest["icons"]}
    assert {"any", "maskable"} <= purposes
    for icon in manifest["icons"]:
        ok, kind, _ = await _fetch(page, urljoin(manifest_url, icon["src"]))
        assert ok and kind.startswith(icon["type"]), icon

    # Chromium's own verdict, as its install prompt uses it.
    cdp = await phone.new_cdp_session(page)
    verdict = await cdp.send("Page.getInstallabilityErrors")
    assert verdict["installabilityErrors"] == []
    parsed = await cdp.send("Page.getAppManifest")
    assert parsed["errors"] == [], parsed["errors"]


async def test_the_connect_page_sees_the_trust(
    https_server: tuple[str, Path], phone: BrowserContext
) -> None:
    base, _ = https_server
    page = phone.pages[0] if phone.pages else await phone.new_page()
    plain = base.replace("https://", "http://")
    await page.goto(f"{plain}/connect")
    assert page.url == f"{plain}/connect", "the connect page is not redirected"
    status = page.locator("[data-trust-status]")
    await expect(status).to_have_text("Yes: this phone trusts your Life World OS server.")
    await expect(
        page.get_by_role("link", name="Open Life World OS", exact=True).last
    ).to_be_visible()
