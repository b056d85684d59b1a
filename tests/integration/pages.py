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


def form_error(page: str) -> str:
    """The text of the message about a whole form (a rule's refusal), empty when none."""
    match = re.search(r'<div class="form-error" role="alert">(.*?)</div>', page, re.S)
    return (
        "" if match is None else " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match[1])).split())
    )


QUESTIONNAIRE = {
    "life_phase": "SPRING",
    "months_saved": "3",
    "health": "strong",
    "income_sources": 2,
    "purpose": "strong",
    "options": 4,
    "stress": "high",
    "experience": "some",
}


async def ready_player(client: httpx.AsyncClient, **answers: object) -> None:
    """Answer the questionnaire through the API (SPRING, capacity 75, energy 100, gold 3,500)."""
    response = await client.post("/api/v1/me/questionnaire", json={**QUESTIONNAIRE, **answers})
    assert response.status_code == 200, response.text


async def follow(client: httpx.AsyncClient, response: httpx.Response) -> str:
    """The page a POST-redirect-GET leads to, as text (the redirect must be a 303)."""
    assert response.status_code == 303, response.text[:2000]
    return text((await client.get(response.headers["location"])).text)
