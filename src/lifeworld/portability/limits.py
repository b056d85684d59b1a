"""The request body limit, raised for the import route only (a player's whole history)."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from lifeworld.middleware import BodyLimit
from lifeworld.portability.api import IMPORT_PATH


class ImportAwareBodyLimit:
    """`BodyLimit` with `import_max_bytes` for `POST /api/v1/me/import`, `max_bytes` elsewhere."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, import_max_bytes: int) -> None:
        self.default = BodyLimit(app, max_bytes=max_bytes)
        self.imports = BodyLimit(app, max_bytes=import_max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        is_import = scope["type"] == "http" and scope["path"] == IMPORT_PATH
        await (self.imports if is_import else self.default)(scope, receive, send)
