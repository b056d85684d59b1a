"""Helpers of the ops tests: reading Prometheus text, promtool, players with tokens."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.integration.factories import invite_code, join

PROMTOOL = Path("/usr/bin/promtool")
# Two places of the offline gazetteer (towns near Paris): their details go through the cache.
PLACES = ("geo:7629", "geo:8369")


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of a text exposition, by name and labels."""
    found: dict[tuple[str, frozenset[tuple[str, str]]], float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, frozenset(sample.labels.items()))] = float(sample.value)
    return found


def value(text: str, name: str, **labels: str) -> float:
    """One sample's value (0 when the series does not exist yet)."""
    return samples(text).get((name, frozenset(labels.items())), 0.0)


def promtool_check(text: str) -> None:
    """`promtool check metrics` on the exposition: the run fails (never skips) without promtool."""
    tool = PROMTOOL if PROMTOOL.exists() else shutil.which("promtool")
    if not tool:
        pytest.fail(
            "promtool is missing: the metrics tests need Debian's prometheus package "
            "(./scripts/test.sh installs it: apt-get install prometheus)."
        )
    checked = subprocess.run(
        [str(tool), "check", "metrics"], input=text, capture_output=True, text=True, timeout=60
    )
    assert checked.returncode == 0, f"promtool: {checked.stdout}{checked.stderr}"


async def scrape(client: httpx.AsyncClient) -> str:
    response = await client.get("/metrics")
    assert response.status_code == 200, response.text
    return response.text


async def bearer(client: httpx.AsyncClient) -> str:
    """Switch the client to a fresh API token (and drop its cookie); returns the token."""
    response = await client.post("/api/v1/auth/tokens", json={"name": "ops tests"})
    assert response.status_code == 201, response.text
    token = str(response.json()["token"])
    client.cookies.clear()
    client.headers["Authorization"] = f"Bearer {token}"
    return token


async def member(admin: httpx.AsyncClient, client: httpx.AsyncClient, username: str) -> int:
    """Register `username` in the admin's household through `client`; returns the user id."""
    data: dict[str, Any] = await join(client, await invite_code(admin), username=username)
    return int(data["user"]["id"])


async def look_up(client: httpx.AsyncClient, place_id: str) -> None:
    response = await client.get(f"/api/v1/places/{place_id}")
    assert response.status_code == 200, response.text
