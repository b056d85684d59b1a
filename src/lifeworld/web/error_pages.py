"""HTML error pages in the app's style for every path outside /api (the translator's hook)."""

from __future__ import annotations

import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from lifeworld.web import formats
from lifeworld.web.templating import render

log = logging.getLogger(__name__)

TITLES = {
    400: "That did not work",
    401: "Please sign in",
    403: "Not allowed",
    404: "Page not found",
    405: "Not possible here",
    409: "Not possible right now",
    413: "That was too much at once",
    422: "Please check what you entered",
    429: "Slow down a little",
    500: "Something went wrong",
    503: "Back in a moment",
}


def _fields(details: Any) -> list[dict[str, str]]:
    if isinstance(details, list):
        return [d for d in details if isinstance(d, dict) and "field" in d and "reason" in d]
    return []


def _retry_after(details: Any) -> int | None:
    if isinstance(details, dict) and isinstance(details.get("retry_after_s"), int):
        return int(details["retry_after_s"])
    return None


async def render_error_page(
    request: Request, status: int, code: str, message: str, details: Any
) -> Response | None:
    """The error as a page; None (the JSON answer) if even the page cannot be drawn."""
    try:
        return render(
            request,
            "errors/error.html",
            status=status,
            plain=True,
            title=TITLES.get(status, "Something went wrong"),
            status_code=status,
            code=code,
            message=formats.rule_message(code, message, details),
            fields=_fields(details),
            retry_after_s=_retry_after(details),
        )
    except Exception:
        log.exception("the error page for %s could not be rendered", status)
        return None
