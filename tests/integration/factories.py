"""Small builders for test data through the public API."""

from __future__ import annotations

from typing import Any

import httpx

PASSWORD = "correct horse battery"


async def set_up_household(
    client: httpx.AsyncClient,
    *,
    username: str = "ada",
    email: str | None = None,
    timezone: str = "Europe/London",
    household_name: str = "The Lovelaces",
) -> dict[str, Any]:
    """Run first-run setup; the client keeps the cookie and sends the CSRF header from now on."""
    response = await client.post(
        "/api/v1/setup",
        json={
            "household_name": household_name,
            "timezone": timezone,
            "username": username,
            "email": email or f"{username}@example.org",
            "password": PASSWORD,
        },
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    client.headers["X-CSRF-Token"] = body["csrf_token"]
    return body


async def invite_code(client: httpx.AsyncClient) -> str:
    response = await client.post("/api/v1/household/invites")
    assert response.status_code == 201, response.text
    return str(response.json()["code"])


async def join(
    client: httpx.AsyncClient, code: str, *, username: str, timezone: str | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "invite_code": code,
        "username": username,
        "email": f"{username}@example.org",
        "password": PASSWORD,
    }
    if timezone:
        body["timezone"] = timezone
    response = await client.post("/api/v1/auth/register", json=body)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    client.headers["X-CSRF-Token"] = data["csrf_token"]
    return data
