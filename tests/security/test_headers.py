"""Security headers on every kind of answer: JSON, errors of every status, pages, files, crashes."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from lifeworld.app import create_app
from lifeworld.settings import Settings
from tests.integration.factories import PASSWORD, set_up_household

UNSAFE_SOURCES = ("'unsafe-inline'", "'unsafe-eval'", "data:", "*")


def assert_secured(response: httpx.Response) -> None:
    where = f"{response.request.method} {response.request.url.path} → {response.status_code}"
    headers = response.headers
    assert headers.get("x-content-type-options") == "nosniff", where
    assert headers.get("referrer-policy") in ("same-origin", "no-referrer"), where
    assert headers.get("x-frame-options") == "DENY", where
    policy = headers.get("content-security-policy", "")
    parts = [p.strip() for p in policy.split(";") if p.strip()]
    directives = {name: value for name, _, value in (p.partition(" ") for p in parts)}
    assert directives.get("frame-ancestors") == "'none'", where
    assert directives.get("default-src") == "'self'", where
    script = directives.get("script-src", directives["default-src"]).split()
    assert not any(source in script for source in UNSAFE_SOURCES), (where, script)
    assert directives.get("object-src") == "'none'", where
    if response.request.url.path.startswith("/api/v1/"):  # the JSON API: kept by no cache
        assert headers.get("cache-control") == "no-store", where


@pytest.fixture
async def signed_in(client: httpx.AsyncClient) -> httpx.AsyncClient:
    await set_up_household(client)
    return client


async def test_json_answers_and_api_errors(
    signed_in: httpx.AsyncClient, new_client: object
) -> None:
    stranger = new_client()  # type: ignore[operator]
    big = b'{"type": "REST", "description": "' + b"x" * (1024 * 1024 + 1) + b'"}'
    answers = [
        await signed_in.get("/api/v1/health"),
        await signed_in.get("/api/v1/me/state"),
        await signed_in.post("/api/v1/me/activities", json={"type": "REST"}),
        await signed_in.post("/api/v1/me/activities", json={"type": "NAP"}),  # 422
        await signed_in.post(
            "/api/v1/me/activities", content=b"{", headers={"content-type": "application/json"}
        ),  # 400
        await signed_in.post(
            "/api/v1/me/activities", content=big, headers={"content-type": "application/json"}
        ),  # 413
        await signed_in.request("OPTIONS", "/api/v1/me/activities"),  # 405
        await signed_in.get("/api/v1/me/engines/999999"),  # 405 (no GET there) or 404
        await signed_in.delete("/api/v1/me/engines/999999"),  # 404
        await signed_in.get("/api/v1/nothing-here"),  # 404
        await signed_in.get("/api/v1/health", headers={"Host": "evil.example"}),  # 400 host
        await stranger.get("/api/v1/me/state"),  # 401
        await signed_in.post("/api/v1/me/season", json={"season": "SPRING"}),  # 409
        await signed_in.post("/api/v1/household/invites", headers={"X-CSRF-Token": "no"}),  # 403
    ]
    for _ in range(6):
        answers.append(
            await stranger.post("/api/v1/auth/login", json={"login": "ada", "password": "nope!"})
        )
    replay_headers = {"Idempotency-Key": "headers-1"}
    for _ in range(2):
        answers.append(
            await signed_in.post(
                "/api/v1/me/engines", json={"type": "CAREER", "name": "J"}, headers=replay_headers
            )
        )
    statuses = {a.status_code for a in answers}
    assert {200, 201, 400, 401, 403, 404, 405, 409, 413, 422, 429} <= statuses
    assert answers[-1].headers["idempotent-replayed"] == "true"
    for answer in answers:
        assert_secured(answer)


async def test_pages_redirects_and_static_files(
    client: httpx.AsyncClient, signed_in: httpx.AsyncClient, new_client: object
) -> None:
    stranger = new_client()  # type: ignore[operator]
    answers = [
        await stranger.get("/login"),
        await stranger.get("/"),  # 303 to sign in
        await signed_in.get("/"),
        await stranger.get("/static/app.css"),
        await stranger.get("/static/app.js"),
        await stranger.get("/static/no-such-file.css"),
        await stranger.get("/no-such-page"),
        await stranger.get("/sw.js"),
    ]
    assert {a.status_code for a in answers} >= {200, 303, 404}
    for answer in answers:
        assert_secured(answer)


async def test_pages_carry_no_inline_script(
    signed_in: httpx.AsyncClient, new_client: object
) -> None:
    stranger = new_client()  # type: ignore[operator]
    pages = [await stranger.get("/login"), await signed_in.get("/")]
    for page in pages:
        assert page.status_code == 200
        assert "text/html" in page.headers["content-type"]
        scripts = re.findall(r"<script\b[^>]*>", page.text, flags=re.IGNORECASE)
        assert all("src=" in tag for tag in scripts), scripts
        assert not re.search(r"\son[a-z]+\s*=", page.text, flags=re.IGNORECASE)
        assert "javascript:" not in page.text.lower()


@pytest.fixture
async def crashing_app(test_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """An app whose database is unreachable, with two routes that fail in our own code."""
    app: FastAPI = create_app(test_settings, database_url="postgresql://nobody@127.0.0.1:1/none")

    async def boom() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/api/v1/boom", boom)
    app.add_api_route("/boom", boom)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
    await app.state.db.dispose()


async def test_crashes_and_a_database_outage(crashing_app: httpx.AsyncClient) -> None:
    api_crash = await crashing_app.get("/api/v1/boom")
    page_crash = await crashing_app.get("/boom")
    outage = await crashing_app.post(
        "/api/v1/auth/login", json={"login": "ada", "password": PASSWORD}
    )
    assert (api_crash.status_code, page_crash.status_code, outage.status_code) == (500, 500, 503)
    assert api_crash.json()["error"]["code"] == "internal_error"
    assert "a bug" not in api_crash.text and "Traceback" not in page_crash.text
    assert outage.json()["error"]["code"] == "database_unavailable"
    for answer in (api_crash, page_crash, outage):
        assert_secured(answer)
