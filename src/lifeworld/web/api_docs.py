"""`/api/docs`: the interactive API documentation (Swagger UI), served from this machine.

FastAPI's own page loads Swagger UI from a CDN with an inline script, which the app's
content-security policy rightly blocks and a home without internet could not load anyway. The
Swagger UI files come from the `fastapi-offline` package (PyPI); the page and the script that
starts Swagger UI are the app's own, so the policy stays as strict as on every other page.
"""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from lifeworld.web.assets import LONG_CACHE
from lifeworld.web.templating import render

router = APIRouter(include_in_schema=False)

DOCS_PATH = "/api/docs"
SWAGGER_DIR = Path(fastapi_offline.__file__).parent / "static"
SWAGGER_FILES = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css"}
ASSETS_VERSION = version("fastapi-offline")  # the asset URLs change with the package


@router.get(DOCS_PATH)
async def api_docs(request: Request) -> Response:
    return render(
        request,
        "api_docs.html",
        plain=True,
        openapi_url=request.app.openapi_url,
        assets=DOCS_PATH,
        assets_version=ASSETS_VERSION,
    )


def _serve(name: str, media_type: str) -> None:
    async def asset() -> Response:
        return FileResponse(
            SWAGGER_DIR / name, media_type=media_type, headers={"Cache-Control": LONG_CACHE}
        )

    router.add_api_route(f"{DOCS_PATH}/{name}", asset, methods=["GET"], name=f"api_docs:{name}")


for _name, _media_type in SWAGGER_FILES.items():
    _serve(_name, _media_type)
