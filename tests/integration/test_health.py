"""GET /api/v1/health: ok with a measured latency; 503 and a clear body with the database down."""

from __future__ import annotations

import tempfile
from pathlib import Path

import httpx

from lifeworld.app import create_app
from lifeworld.db import migrate
from lifeworld.db.embedded import EmbeddedPostgres
from lifeworld.settings import Settings


async def test_health_ok(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["database"]["latency_ms"] > 0
    assert body["cache"] == {"backend": "postgres", "ok": True}
    assert body["version"]


async def test_health_with_the_database_stopped(test_settings: Settings) -> None:
    server = EmbeddedPostgres(Path(tempfile.mkdtemp(prefix="lifeworld-health-")) / "data")
    server.ensure_started()
    try:
        migrate.upgrade(server.url())
        app = create_app(test_settings, database_url=server.url())
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as client:
            assert (await client.get("/api/v1/health")).json()["status"] == "ok"
            server.stop()
            down = await client.get("/api/v1/health")
            assert down.status_code == 503
            assert down.json()["status"] == "down"
            assert down.json()["database"] == {"ok": False, "latency_ms": None}
            # Other routes fail fast with the error shape instead of a stack trace.
            setup = await client.get("/api/v1/setup")
            assert setup.status_code == 503
            assert setup.json()["error"]["code"] == "database_unavailable"
            server.ensure_started()
            assert (await client.get("/api/v1/health")).json()["status"] == "ok"
            await app.state.db.dispose()
    finally:
        server.stop()
