"""The app shell of the PWA: the service worker at the root scope, the offline page, the favicon."""

from __future__ import annotations

import hashlib
from functools import lru_cache

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from lifeworld.web.assets import STATIC_DIR, TEMPLATES_DIR, static_url
from lifeworld.web.templating import environment, render

router = APIRouter(include_in_schema=False)

OFFLINE_URL = "/offline"
SHELL_FILES = (
    "app.css",
    "app.js",
    "queue.js",
    "icons.svg",
    "icons/icon.svg",
    "icons/icon-192.png",
)


def shell_urls() -> list[str]:
    """What the service worker stores at install: the offline page and what it needs."""
    return [OFFLINE_URL, *(static_url(name) for name in SHELL_FILES)]


@lru_cache(maxsize=1)
def service_worker_source() -> str:
    """sw.js with the shell list and a version that changes whenever the shell does."""
    urls = shell_urls()
    fingerprint = hashlib.sha256()
    for part in (*urls, "offline.html", "sw.js", "base.html"):
        fingerprint.update(part.encode())
        if part.endswith((".html", ".js")):
            fingerprint.update((TEMPLATES_DIR / part).read_bytes())
    version = fingerprint.hexdigest()[:12]
    return (
        environment()
        .get_template("sw.js")
        .render(version=version, shell=urls, queue_url=static_url("queue.js"))
    )


@router.get("/sw.js")
async def service_worker() -> Response:
    return Response(
        service_worker_source(),
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache"},
    )


@router.get(OFFLINE_URL)
async def offline(request: Request) -> Response:
    return render(request, "offline.html", plain=True)


@router.get("/favicon.ico")
async def favicon() -> Response:
    return FileResponse(
        STATIC_DIR / "icons" / "favicon-32.png",
        media_type="image/png",
        headers={"Cache-Control": "public, max-age=86400"},
    )
