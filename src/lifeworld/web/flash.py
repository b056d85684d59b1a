"""One-time messages after a redirect (POST-redirect-GET), carried in a short-lived signed cookie.

Why a cookie and not the server-side session: there is no session store for flashes, a signed-out
visitor (after setup or sign-out) has no session, and a query parameter could be forged into a
link ("your account is locked, call …") or land in the history. The cookie is HttpOnly, lives
60 seconds, is signed with the instance secret (a forged or edited one is ignored) and is
deleted by the first page that shows it. It may carry a secret shown once (a new API token or
invite code): it only ever travels between this browser and this server, like the session cookie.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import asdict, dataclass
from typing import Literal

from starlette.requests import Request
from starlette.responses import Response

from lifeworld.accounts.security import Security, same

FLASH_COOKIE = "lw_flash"
FLASH_MAX_AGE_S = 60
MAX_FLASHES = 5

Kind = Literal["success", "info", "warning", "error"]
KINDS: frozenset[str] = frozenset({"success", "info", "warning", "error"})


@dataclass(frozen=True)
class Flash:
    """A message for the next page; `secret` is shown once with a copy button."""

    kind: Kind
    text: str
    section: str | None = None  # the part of the page it belongs to (rendered there)
    secret: str | None = None
    secret_label: str | None = None
    undo: str | None = None  # the id of an activity the message offers to undo
    link: str | None = None  # a one-time link (an invite, a password reset), with its QR
    link_label: str | None = None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(security: Security, payload: str) -> str:
    return _b64(security.digest("flash:" + payload))


def encode(security: Security, flashes: list[Flash]) -> str:
    """The signed cookie value for these messages."""
    items = [{k: v for k, v in asdict(f).items() if v is not None} for f in flashes[:MAX_FLASHES]]
    payload = _b64(json.dumps(items, separators=(",", ":")).encode())
    return f"{payload}.{_signature(security, payload)}"


def decode(security: Security, value: str | None) -> list[Flash]:
    """The messages of a cookie value; nothing when it is missing, forged or malformed."""
    if not value or "." not in value:
        return []
    payload, _, signature = value.partition(".")
    if not same(signature, _signature(security, payload)):
        return []
    try:
        items = json.loads(_unb64(payload))
    except (ValueError, binascii.Error):
        return []
    flashes: list[Flash] = []
    for item in items if isinstance(items, list) else []:
        if (
            isinstance(item, dict)
            and item.get("kind") in KINDS
            and isinstance(item.get("text"), str)
        ):
            flashes.append(
                Flash(
                    kind=item["kind"],
                    text=item["text"],
                    section=_str_or_none(item.get("section")),
                    secret=_str_or_none(item.get("secret")),
                    secret_label=_str_or_none(item.get("secret_label")),
                    undo=_str_or_none(item.get("undo")),
                    link=_str_or_none(item.get("link")),
                    link_label=_str_or_none(item.get("link_label")),
                )
            )
    return flashes


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def set_flashes(request: Request, response: Response, flashes: list[Flash]) -> None:
    """Attach messages to a (redirect) response."""
    if not flashes:
        return
    security: Security = request.app.state.security
    response.set_cookie(
        FLASH_COOKIE,
        encode(security, flashes),
        max_age=FLASH_MAX_AGE_S,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


def read_flashes(request: Request) -> list[Flash]:
    """The messages waiting for this page."""
    security: Security = request.app.state.security
    return decode(security, request.cookies.get(FLASH_COOKIE))


def clear_flashes(request: Request, response: Response) -> None:
    """Delete the flash cookie once its messages are on a page."""
    if FLASH_COOKIE in request.cookies:
        response.delete_cookie(FLASH_COOKIE, path="/")
