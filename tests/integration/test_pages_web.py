"""The web layer over HTTP: error pages, static files, the app shell, flashes, double submits."""

from __future__ import annotations

import asyncio
import json
import re
import struct
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from lifeworld.accounts.models import ApiToken
from lifeworld.accounts.security import Security
from lifeworld.app import create_app
from lifeworld.clock import clock
from lifeworld.db import migrate
from lifeworld.db.scope import Scope
from lifeworld.db.session import create_database as create_engine_database
from lifeworld.db.session import new_scope
from lifeworld.errors import Conflict, ServiceUnavailable, Throttled
from lifeworld.game.errors import GameRuleError
from lifeworld.settings import Settings
from lifeworld.web import flash, icon_art, submissions
from lifeworld.web.assets import STATIC_DIR, static_url
from lifeworld.web.deps import safe_next
from lifeworld.web.models import FormSubmission
from tests.integration.factories import set_up_household
from tests.integration.pages import hidden_fields, submit
from tests.integration.pages import text as page_text

# --- error pages -------------------------------------------------------------------------


def _with_failing_routes(app: FastAPI) -> FastAPI:
    async def boom() -> None:
        raise RuntimeError("secret internal detail")

    async def refused() -> None:
        raise GameRuleError("You are already in SPRING.")

    async def busy() -> None:
        raise Throttled("Too many requests.", retry_after_s=90)

    async def down() -> None:
        raise ServiceUnavailable("The database is not reachable right now.")

    async def conflict() -> None:
        raise Conflict("Already done.", code="already_done")

    for path, handler in (
        ("/boom", boom),
        ("/refused", refused),
        ("/busy", busy),
        ("/down", down),
        ("/api/v1/refused", conflict),
    ):
        app.add_api_route(path, handler, include_in_schema=False)
    return app


@pytest.fixture
async def raw_client(app: FastAPI) -> Any:
    transport = httpx.ASGITransport(app=_with_failing_routes(app), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.mark.parametrize(
    ("path", "status", "title", "message"),
    [
        ("/no-such-page", 404, "Page not found", "There is nothing at this address."),
        ("/refused", 409, "Not possible right now", "You are already in SPRING."),
        ("/busy", 429, "Slow down a little", "Try again in 2 minutes."),
        ("/down", 503, "Back in a moment", "The database is not reachable right now."),
        ("/boom", 500, "Something went wrong", "Something went wrong on our side."),
    ],
)
async def test_errors_on_pages_are_html_pages(
    raw_client: httpx.AsyncClient, path: str, status: int, title: str, message: str
) -> None:
    response = await raw_client.get(path)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    words = page_text(response.text)
    assert f"<h1>{title}</h1>" in response.text
    assert message in words
    assert "secret internal detail" not in response.text
    assert "Traceback" not in response.text
    assert "set-cookie" not in response.headers  # error pages take no flash, set no cookie


async def test_errors_on_api_paths_stay_json(raw_client: httpx.AsyncClient) -> None:
    response = await raw_client.get("/api/v1/refused")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_done"
    missing = await raw_client.get("/api/v1/nothing")
    assert missing.json()["error"]["code"] == "not_found"


async def test_invalid_path_parameter_on_a_page_is_a_422_page(client: httpx.AsyncClient) -> None:
    await set_up_household(client)
    page = await client.get("/settings")
    fields = hidden_fields(page.text, "/settings/tokens")
    response = await client.post("/settings/tokens/not-a-number/revoke", data=fields)
    assert response.status_code == 422
    assert "<h1>Please check what you entered</h1>" in response.text
    assert "token_id" in page_text(response.text)


async def test_throttled_page_keeps_retry_after(raw_client: httpx.AsyncClient) -> None:
    response = await raw_client.get("/busy")
    assert response.headers["retry-after"] == "90"


# --- static files and the app shell ------------------------------------------------------


async def test_static_files_are_versioned_and_cached(client: httpx.AsyncClient) -> None:
    page = await client.get("/login")  # redirects to /setup: still a page with the layout
    setup = await client.get(page.headers["location"])
    css_url = static_url("app.css")
    assert css_url in setup.text
    versioned = await client.get(css_url)
    assert versioned.status_code == 200
    assert versioned.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert (await client.get("/static/app.css")).headers["cache-control"] == "no-cache"
    assert (await client.get("/static/nope.css")).status_code == 404


async def test_no_inline_script_or_style_in_pages(client: httpx.AsyncClient) -> None:
    await set_up_household(client)
    for path in ("/", "/settings", "/household", "/logout", "/offline"):
        page = (await client.get(path)).text
        assert " style=" not in page, path
        assert re.search(r"<script(?![^>]*\ssrc=)", page) is None, path
        assert re.search(r"\son[a-z]+=", page) is None, path


async def test_manifest_and_icons(client: httpx.AsyncClient) -> None:
    response = await client.get(static_url("manifest.webmanifest"))
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest = response.json()
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
    for icon in manifest["icons"]:
        served = await client.get(f"/static/{icon['src']}")
        assert served.status_code == 200, icon
        if icon["type"] == "image/png":
            width, height = struct.unpack(">II", served.content[16:24])
            assert f"{width}x{height}" == icon["sizes"]
    favicon = await client.get("/favicon.ico")
    assert favicon.content.startswith(b"\x89PNG")


def test_committed_icons_match_the_art() -> None:
    icons = STATIC_DIR / "icons"
    assert (icons / "icon.svg").read_text() == icon_art.svg_source()
    assert (icons / "favicon-32.png").read_bytes() == icon_art.OUTPUTS["favicon-32.png"]()


def test_png_writer_round_trips_pixels() -> None:
    import zlib

    rows = [bytes([255, 0, 0, 255, 0, 255, 0, 128]), bytes([0, 0, 255, 255, 0, 0, 0, 0])]
    data = icon_art.png_bytes(rows)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    length = struct.unpack(">I", data[33:37])[0]
    assert data[37:41] == b"IDAT"
    raw = zlib.decompress(data[41 : 41 + length])
    assert raw == b"\x00" + rows[0] + b"\x00" + rows[1]


async def test_service_worker_at_the_root_lists_the_shell(client: httpx.AsyncClient) -> None:
    response = await client.get("/sw.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["cache-control"] == "no-cache"
    shell = json.loads(re.search(r"const SHELL = (\[.*?\]);", response.text)[1])  # type: ignore[index]
    assert shell[0] == "/offline"
    for url in shell:
        assert (await client.get(url)).status_code == 200, url
    offline = await client.get("/offline")
    assert "Can't reach your Life World OS server" in page_text(offline.text)
    # The offline queue's code is part of the shell and loaded by the worker itself.
    imported = re.search(r'importScripts\("([^"]+)"\);', response.text)
    assert imported is not None and imported[1] in shell
    assert imported[1].startswith("/static/queue.js?v=")
    queue = await client.get(imported[1])
    assert queue.status_code == 200 and "LifeWorldQueue" in queue.text


def test_navigation_moves_what_does_not_fit_under_more(monkeypatch: pytest.MonkeyPatch) -> None:
    from lifeworld.accounts.models import User
    from lifeworld.web import nav

    items = tuple(nav.NavItem(f"P{i}", f"/p{i}", "today") for i in range(6))
    monkeypatch.setattr(nav, "NAV_ITEMS", (*items, nav.NavItem("Admin", "/admin", "shield", True)))
    member = User(username="m", is_admin=False)
    shown = nav.nav_for(member, "/p5/details")
    assert [link.item.label for link in shown.bar] == ["P0", "P1", "P2", "P3"]
    assert [link.item.label for link in shown.more] == ["P4", "P5"]
    assert [link.item.href for link in shown.links if link.current] == ["/p5"]
    admin = nav.nav_for(User(username="a", is_admin=True), "/")
    assert admin.links[-1].item.label == "Admin"
    assert nav.nav_for(None, "/").links == []


# --- flashes and next --------------------------------------------------------------------


def test_flash_cookie_is_signed() -> None:
    security = Security(b"k" * 32)
    value = flash.encode(security, [flash.Flash("success", "Saved.", section="profile")])
    assert flash.decode(security, value) == [flash.Flash("success", "Saved.", section="profile")]
    signature = value.partition(".")[2]
    forged = flash.encode(security, [flash.Flash("error", "Call this number")]).split(".")[0]
    assert flash.decode(security, f"{forged}.{signature}") == []
    assert flash.decode(Security(b"o" * 32), value) == []
    assert flash.decode(security, "garbage") == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/settings", "/settings"),
        ("/household?x=1", "/household?x=1"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
        ("settings", "/"),
        ("/login", "/"),
        ("/ok\n", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_safe_next(value: str | None, expected: str) -> None:
    assert safe_next(value) == expected


# --- double submits ----------------------------------------------------------------------


async def test_same_form_twice_is_recorded_once(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    await set_up_household(client)
    page = await client.get("/settings")
    form = {**hidden_fields(page.text, "/settings/tokens"), "name": "Twice"}
    first = await client.post("/settings/tokens", data=form)
    second = await client.post("/settings/tokens", data=form)
    assert first.headers["location"] == second.headers["location"] == "/settings#tokens"
    assert await db_session.scalar(select(func.count()).select_from(ApiToken)) == 1
    shown = page_text((await client.get("/settings")).text)
    assert "API token “Twice” created. If you did not copy it" in shown
    assert "That form was sent twice; it was recorded once." in shown


async def test_form_without_a_nonce_is_refused(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    await set_up_household(client)
    page = await client.get("/settings")
    form = {**hidden_fields(page.text, "/settings/tokens"), "name": "No nonce"}
    del form["form_nonce"]
    response = await client.post("/settings/tokens", data=form)
    assert response.status_code == 400
    assert "one-time key" in page_text(response.text)
    assert await db_session.scalar(select(func.count()).select_from(ApiToken)) == 0


async def test_a_refused_form_does_not_use_up_its_nonce(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    await set_up_household(client)
    page = await client.get("/settings")
    form = {**hidden_fields(page.text, "/settings/tokens"), "name": "   "}
    refused = await submit(client, "/settings", "/settings/tokens", form)
    assert refused.status_code == 422
    kept = hidden_fields(refused.text, "/settings/tokens")["form_nonce"]
    assert kept == form["form_nonce"]
    fixed = await client.post("/settings/tokens", data={**form, "name": "Fixed"})
    assert fixed.status_code == 303
    assert await db_session.scalar(select(func.count()).select_from(ApiToken)) == 1


async def test_expired_submissions_are_purged(db_session: AsyncSession, scope: Scope) -> None:
    now = clock.now()
    db_session.add(
        FormSubmission(nonce="old-nonce-aaaaaaaaaaaa", user_id=None, created_at=now, expires_at=now)
    )
    await db_session.flush()
    later = now + timedelta(seconds=1)
    assert (
        await submissions.claim(scope, nonce="new-nonce-bbbbbbbbbbbb", user_id=None, now=later)
        is None
    )
    assert await db_session.get(FormSubmission, "old-nonce-aaaaaaaaaaaa") is None


async def test_a_repeat_waits_for_the_first_and_never_runs_twice(create_database: Any) -> None:
    """Two transactions claim one nonce: the second waits; commit → repeat, rollback → new."""
    url = create_database("lifeworld_nonce")
    migrate.upgrade(url)
    db = create_engine_database(url, pool_size=2, max_overflow=0)  # two sessions
    try:
        for outcome in ("commit", "rollback"):
            nonce = f"race-{outcome}-0123456789"
            async with db.sessionmaker() as first, db.sessionmaker() as second:
                assert (
                    await submissions.claim(
                        new_scope(db, first, None), nonce=nonce, user_id=None, now=clock.now()
                    )
                    is None
                )
                pid = await second.scalar(text("SELECT pg_backend_pid()"))
                waiting = asyncio.create_task(
                    submissions.claim(
                        new_scope(db, second, None), nonce=nonce, user_id=None, now=clock.now()
                    )
                )
                await _until_blocked(first, pid)
                assert not waiting.done()
                await (first.commit() if outcome == "commit" else first.rollback())
                earlier = await waiting
                if outcome == "commit":
                    assert earlier is not None and earlier.nonce == nonce
                else:
                    assert earlier is None  # the first was refused: this one goes ahead
                await second.rollback()
    finally:
        await db.dispose()


async def _until_blocked(observer: AsyncSession, pid: int | None) -> None:
    """Wait until backend `pid` waits on a lock (polling pg_stat_activity, no sleeps to assert)."""
    for _ in range(2000):
        state = await observer.scalar(
            text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
        )
        if state == "Lock":
            return
        await asyncio.sleep(0.005)
    raise AssertionError("the second claim never waited for the first")


async def test_two_app_instances_share_the_guard(create_database: Any) -> None:
    """Same form sent to two app instances at once (two pools, real commits): one token."""
    url = create_database("lifeworld_twoapps")
    migrate.upgrade(url)
    settings = Settings(env="test", secret_key="y" * 40)  # type: ignore[arg-type]
    apps = [create_app(settings, database_url=url) for _ in range(2)]
    clients = [
        httpx.AsyncClient(transport=httpx.ASGITransport(app=a), base_url="http://testserver")
        for a in apps
    ]
    try:
        body = await set_up_household(clients[0])
        clients[1].cookies.update(clients[0].cookies)
        clients[1].headers["X-CSRF-Token"] = body["csrf_token"]
        page = await clients[0].get("/settings")
        form = {**hidden_fields(page.text, "/settings/tokens"), "name": "Raced"}
        answers = await asyncio.gather(*(c.post("/settings/tokens", data=form) for c in clients))
        assert [a.status_code for a in answers] == [303, 303]
        tokens = (await clients[0].get("/api/v1/auth/tokens")).json()
        assert [t["name"] for t in tokens] == ["Raced"]
    finally:
        for c in clients:
            await c.aclose()
        for a in apps:
            await a.state.db.dispose()
