"""Helpers for page tests over HTTP: read a form's hidden fields, submit it like a browser."""

from __future__ import annotations

import html
import re

import httpx

_FORM = re.compile(
    r'<form method="post" action="(?P<action>[^"]+)"[^>]*>(?P<body>.*?)</form>', re.S
)
_HIDDEN = re.compile(r'<input type="hidden" name="(?P<name>[^"]+)" value="(?P<value>[^"]*)">')


def hidden_fields(page: str, action: str) -> dict[str, str]:
    """The hidden inputs (CSRF token, nonce, next …) of the first form posting to `action`."""
    for match in _FORM.finditer(page):
        if html.unescape(match["action"]) == action:
            return {m["name"]: html.unescape(m["value"]) for m in _HIDDEN.finditer(match["body"])}
    raise AssertionError(f"no form posting to {action} on the page")


async def submit(
    client: httpx.AsyncClient, page_path: str, action: str, data: dict[str, str]
) -> httpx.Response:
    """Open `page_path`, fill the form posting to `action` with `data` and send it."""
    page = await client.get(page_path)
    assert page.status_code == 200, page.text[:500]
    return await client.post(action, data={**hidden_fields(page.text, action), **data})


def field_error(page: str, field_id: str) -> str:
    """The text of the error shown next to a field (empty when there is none)."""
    match = re.search(rf'<p class="field-error" id="{field_id}-error">(.*?)</p>', page, re.S)
    if match is None:
        return ""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match[1])).split())


def input_value(page: str, field_id: str) -> str:
    match = re.search(rf'<input id="{field_id}"[^>]*?value="([^"]*)"', page, re.S)
    assert match is not None, f"no input #{field_id} with a value"
    return html.unescape(match[1])


def text(page: str) -> str:
    """The visible words of a page, for `in` checks."""
    body = re.sub(r"<(script|style|datalist)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())
