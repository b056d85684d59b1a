"""Fixtures for the places tests: the fake provider server and apps configured to use it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from lifeworld.settings import Settings
from tests.conftest import make_app
from tests.places_server import RecordedNominatim

from .fake_provider import FakeProvider


@pytest.fixture
def fake_provider() -> Iterator[FakeProvider]:
    fake = FakeProvider()
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def recorded_nominatim() -> Iterator[RecordedNominatim]:
    """Nominatim's recorded answers (tests/fixtures/nominatim/) served on 127.0.0.1."""
    fake = RecordedNominatim()
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
async def provider_client(
    connection: AsyncConnection, fake_provider: FakeProvider
) -> AsyncIterator[Any]:
    """await make(**settings) → a client of an app using the fake provider."""
    clients: list[httpx.AsyncClient] = []

    async def make(**overrides: Any) -> httpx.AsyncClient:
        values: dict[str, Any] = {
            "env": "test",
            "secret_key": "x" * 40,
            "nominatim_url": fake_provider.url,
            "google_places_url": fake_provider.url,
            "nominatim_min_interval_s": 0,
        }
        settings = Settings(**{**values, **overrides})
        app = make_app(settings, connection)
        # The cache tier commits outside the test's transaction: start from an empty cache.
        await app.state.cache.clear()
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()
