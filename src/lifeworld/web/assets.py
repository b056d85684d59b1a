"""Static files: where they live, their content hashes (cache busting) and how they are served."""

from __future__ import annotations

import hashlib
import mimetypes
import os
from functools import lru_cache
from os import PathLike
from pathlib import Path

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

STATIC_DIR = Path(__file__).parent / "static"
TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_PREFIX = "/static"
LONG_CACHE = "public, max-age=31536000, immutable"

mimetypes.add_type("application/manifest+json", ".webmanifest")
mimetypes.add_type("image/svg+xml", ".svg")


@lru_cache(maxsize=256)
def file_hash(relative: str) -> str:
    """A short content hash of a static file (read once per process)."""
    path = (STATIC_DIR / relative).resolve()
    if STATIC_DIR.resolve() not in path.parents or not path.is_file():
        raise FileNotFoundError(f"no static file {relative!r}")
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def static_url(relative: str) -> str:
    """The URL of a static file with its content hash, so it can be cached for a year."""
    return f"{STATIC_PREFIX}/{relative}?v={file_hash(relative)}"


class VersionedStatic(StaticFiles):
    """StaticFiles that caches versioned URLs for a year and revalidates the rest."""

    def file_response(
        self,
        full_path: PathLike[str] | str,
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        versioned = b"v=" in scope.get("query_string", b"")
        response.headers["Cache-Control"] = LONG_CACHE if versioned else "no-cache"
        return response
