"""Browser tests: the real app under uvicorn in a subprocess, driven by Debian's Chromium.

Approach to the event loop: the suite runs every async test and fixture in pytest-asyncio's
session loop, so the browser tests use Playwright's *async* API in that same loop (the sync
API refuses to run where an asyncio loop exists, and a second loop per test would fight
pytest-asyncio). The browser is launched once per session; each test gets fresh contexts.

The server runs in its own process with LIFEWORLD_ENV=test against its own database
(created with `create_database()` and migrated to head), and is stopped by pid at the end.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Response,
    async_playwright,
)

from lifeworld.db import migrate
from tests.browser.support import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
STARTUP_TIMEOUT_S = 60.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    """The app running in a uvicorn subprocess."""

    url: str
    database_url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def start_server(database_url: str, **settings: str) -> LiveServer:
    """Start `lifeworld.asgi` under uvicorn on a free port and wait until it is healthy.

    `settings` are more LIFEWORLD_ variables (e.g. PLACES_PROVIDER="auto")."""
    workdir = Path(tempfile.mkdtemp(prefix="lifeworld-browser-"))
    port = _free_port()
    env = {
        **os.environ,
        "LIFEWORLD_ENV": "test",
        "LIFEWORLD_DATABASE_URL": database_url,
        "LIFEWORLD_SECRET_KEY": "browser-tests-secret-" + "x" * 32,
        "LIFEWORLD_DATA_DIR": str(workdir / "data"),
        "LIFEWORLD_HOST": "127.0.0.1",
        "LIFEWORLD_PORT": str(port),
        "LIFEWORLD_LOG_LEVEL": "warning",
        **{f"LIFEWORLD_{name}": value for name, value in settings.items()},
    }
    log_path = workdir / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "lifeworld.asgi:app_from_environment",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            cwd=workdir,  # no stray .env from the checkout
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = LiveServer(f"http://127.0.0.1:{port}", database_url, process, log_path)
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while True:
        if process.poll() is not None:
            pytest.fail(f"the app server exited with {process.returncode}:\n{server.log()}")
        try:
            if httpx.get(f"{server.url}/api/v1/health", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            server.stop()
            pytest.fail(f"the app server did not become healthy:\n{server.log()}")
        time.sleep(0.1)


@pytest.fixture(scope="session")
def server_factory(create_database: Any) -> Iterator[Callable[..., LiveServer]]:
    """Start more servers, each on a fresh migrated database; all are stopped at the end."""
    started: list[LiveServer] = []

    def make(**settings: str) -> LiveServer:
        url: str = create_database("lifeworld_browser")
        migrate.upgrade(url)
        server = start_server(url, **settings)
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def live_server(server_factory: Callable[..., LiveServer]) -> LiveServer:
    """The session's shared server; its household is set up by `household`."""
    return server_factory()


@dataclass
class Household:
    """The shared server's household: the admin's API client and a way to add members."""

    server: LiveServer
    admin: str
    api: httpx.Client
    members: list[str] = field(default_factory=list)

    def invite(self) -> str:
        response = self.api.post("/api/v1/household/invites")
        assert response.status_code == 201, response.text
        return str(response.json()["code"])

    def new_member(self, prefix: str = "member") -> str:
        """Register a new member through the API; returns the username (password PASSWORD)."""
        username = f"{prefix}{len(self.members) + 1}"
        body = {
            "invite_code": self.invite(),
            "username": username,
            "email": f"{username}@example.org",
            "password": PASSWORD,
        }
        response = httpx.post(f"{self.server.url}/api/v1/auth/register", json=body)
        assert response.status_code == 201, response.text
        self.members.append(username)
        return username


@pytest.fixture(scope="session")
def household(live_server: LiveServer) -> Iterator[Household]:
    api = httpx.Client(base_url=live_server.url)
    response = api.post(
        "/api/v1/setup",
        json={
            "household_name": "The Lovelaces",
            "timezone": "Europe/London",
            "username": "ada",
            "email": "ada@example.org",
            "password": PASSWORD,
        },
    )
    assert response.status_code == 201, response.text
    api.headers["X-CSRF-Token"] = response.json()["csrf_token"]
    yield Household(server=live_server, admin="ada", api=api)
    api.close()


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's Chromium; the run fails (never skips) without it."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's Chromium "
            "(./scripts/test.sh installs it: apt-get install chromium)."
        )
    return str(CHROMIUM)


@pytest.fixture(scope="session")
async def browser(chromium: str) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        instance = await playwright.chromium.launch(
            executable_path=chromium, args=CHROMIUM_ARGS, headless=True
        )
        yield instance
        await instance.close()


@dataclass
class PageProblems:
    """Console errors, uncaught exceptions and failed sub-resources seen by a page."""

    errors: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        def on_console(message: ConsoleMessage) -> None:
            # A page answered with 4xx (a form with errors, the 404 page) is expected in tests;
            # failed sub-resources are caught below by their own status.
            if message.type == "error" and not re.match(
                r"Failed to load resource: the server responded with a status of", message.text
            ):
                self.errors.append(f"console: {message.text}")

        page.on("console", on_console)
        page.on("pageerror", lambda exc: self.errors.append(f"uncaught: {exc}"))
        page.on("response", self._on_response)

    def _on_response(self, response: Response) -> None:
        # Sub-resources (styles, scripts, icons) must load. A page's own fetches may get a 4xx
        # on purpose (a form with errors, a rule's refusal, which the page then shows); only
        # a 5xx answer to them is a problem.
        kind = response.request.resource_type
        if kind == "document":
            return
        limit = 500 if kind in ("fetch", "xhr") else 400
        if response.status >= limit:
            self.errors.append(f"{response.status} for {response.url}")


NewContext = Callable[..., Awaitable[BrowserContext]]


@pytest.fixture
async def new_context(browser: Browser, live_server: LiveServer) -> AsyncIterator[NewContext]:
    """Open more browser contexts (separate cookie jars = separate people); all checked."""
    contexts: list[BrowserContext] = []
    problems = PageProblems()

    async def make(**options: Any) -> BrowserContext:
        options.setdefault("base_url", live_server.url)
        options.setdefault("viewport", {"width": 1280, "height": 800})
        options.setdefault("timezone_id", "Europe/Paris")
        options.setdefault("locale", "en-GB")
        context = await browser.new_context(**options)
        context.set_default_timeout(15_000)
        context.on("page", problems.watch)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        await context.close()
    assert problems.errors == [], "the pages reported problems:\n" + "\n".join(problems.errors)


@pytest.fixture
async def page(new_context: NewContext) -> Page:
    context = await new_context()
    return await context.new_page()


@pytest.fixture
async def browser_page_without_checks(
    browser: Browser, live_server: LiveServer
) -> AsyncIterator[tuple[Page, PageProblems]]:
    """A page whose problems are collected but not asserted (to test the watcher itself)."""
    context = await browser.new_context(base_url=live_server.url)
    page = await context.new_page()
    problems = PageProblems()
    problems.watch(page)
    yield page, problems
    await context.close()
