"""GET /api/v1/health (API.md): is the database reachable and how fast, which cache runs."""

from __future__ import annotations

import time
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from lifeworld import __version__

router = APIRouter(prefix="/api/v1", tags=["operations"])


class DatabaseHealth(BaseModel):
    ok: bool
    latency_ms: float | None


class CacheHealth(BaseModel):
    backend: str
    ok: bool


class HealthOut(BaseModel):
    status: Literal["ok", "degraded", "down"]
    version: str
    database: DatabaseHealth
    cache: CacheHealth


@router.get("/health", response_model=HealthOut, responses={503: {"model": HealthOut}})
async def health(request: Request) -> JSONResponse:
    """Database round trip timed; 503 when the database cannot be reached."""
    started = time.perf_counter()
    try:
        await request.app.state.db.ping()
        database = DatabaseHealth(
            ok=True, latency_ms=round((time.perf_counter() - started) * 1000, 2)
        )
    except Exception:
        database = DatabaseHealth(ok=False, latency_ms=None)
    cache_backend, cache_ok = request.app.state.cache_health()
    status: Literal["ok", "degraded", "down"] = (
        "down" if not database.ok else ("ok" if cache_ok else "degraded")
    )
    body = HealthOut(
        status=status,
        version=__version__,
        database=database,
        cache=CacheHealth(backend=cache_backend, ok=cache_ok),
    )
    return JSONResponse(body.model_dump(), status_code=503 if status == "down" else 200)


@router.get("/ping", include_in_schema=False)
async def ping() -> dict[str, bool]:
    """The framework floor: no database, no auth (benchmarks compare against it)."""
    return {"pong": True}
