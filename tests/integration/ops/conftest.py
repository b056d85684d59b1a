"""Fixtures of the ops tests: more browsers of the committed app and of a second instance."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from fastapi import FastAPI

from lifeworld.settings import Settings
from tests.conftest import serving

ClientFactory = Callable[[FastAPI], httpx.AsyncClient]


@pytest.fixture
async def browser_of() -> AsyncIterator[ClientFactory]:
    """Open another client (its own cookies) on a given app; all are closed at the end."""
    clients: list[httpx.AsyncClient] = []

    def make(app: FastAPI) -> httpx.AsyncClient:
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


@pytest.fixture
async def other_instance(committed_app: FastAPI, test_settings: Settings) -> AsyncIterator[FastAPI]:
    """A second app instance (own caches, recorder and instance id) on the same database."""
    async with serving(test_settings, committed_app.state.database_url) as other:
        yield other
