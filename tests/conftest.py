"""Shared fixtures: a real PostgreSQL for the whole run, a rolled-back transaction per test.

The server is the one at LIFEWORLD_TEST_DATABASE_URL when set (any database on it: a fresh one
is created beside it for this run), otherwise the embedded PostgreSQL started in a temporary
directory. Never SQLite, never a mock.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from lifeworld.app import create_app
from lifeworld.clock import clock
from lifeworld.db import migrate
from lifeworld.db.embedded import EmbeddedPostgres
from lifeworld.db.scope import Scope
from lifeworld.db.session import Database
from lifeworld.db.urls import libpq_url, sqlalchemy_url
from lifeworld.players.store import PlayerStore
from lifeworld.settings import Settings

# No test reaches the internet: the default place provider (`auto`) would ask OpenStreetMap.
# Every app a test builds, and every server it starts, searches offline unless the test
# points a provider at a local server itself (an explicit setting wins over the environment).
os.environ["LIFEWORLD_PLACES_PROVIDER"] = "offline"


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(libpq_url(url))
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    """A libpq URL of a PostgreSQL server on which the tests may create databases."""
    configured = os.environ.get("LIFEWORLD_TEST_DATABASE_URL")
    if configured:
        yield libpq_url(configured)
        return
    tmp = Path(tempfile.mkdtemp(prefix="lifeworld-test-pg-"))
    os.chmod(tmp, 0o755)
    server = EmbeddedPostgres(tmp / "data")
    server.ensure_started()
    try:
        yield libpq_url(server.url("postgres"))
    finally:
        server.stop()


@pytest.fixture(scope="session")
def create_database(pg_server_url: str) -> Iterator[Any]:
    """Create empty databases on the test server; all of them are dropped at the end."""
    created: list[str] = []

    def make(prefix: str = "lifeworld_test") -> str:
        name = f"{prefix}_{secrets.token_hex(4)}"
        with psycopg.connect(pg_server_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        return _with_database(pg_server_url, name)

    yield make
    with psycopg.connect(pg_server_url, autocommit=True) as conn:
        for name in created:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def database_url(create_database: Any) -> str:
    """The run's database, migrated to head once."""
    url: str = create_database()
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="session")
def test_settings() -> Settings:
    return Settings(env="test", secret_key="x" * 40, data_dir=Path(tempfile.gettempdir()))  # type: ignore[arg-type]


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[Any]:
    eng = create_async_engine(sqlalchemy_url(database_url), pool_size=5)
    yield eng
    await eng.dispose()


@pytest.fixture(autouse=True)
def _real_time() -> Iterator[None]:
    """Every test starts and ends on the real clock."""
    clock.pin(None)
    yield
    clock.pin(None)


@pytest.fixture
async def connection(engine: Any) -> AsyncIterator[AsyncConnection]:
    """One connection whose outer transaction is rolled back after the test."""
    async with engine.connect() as conn:
        outer = await conn.begin()
        try:
            yield conn
        finally:
            await outer.rollback()


@pytest.fixture
async def db_session(connection: AsyncConnection) -> AsyncIterator[AsyncSession]:
    factory = async_sessionmaker(
        bind=connection,
        expire_on_commit=False,
        autoflush=False,
        join_transaction_mode="create_savepoint",
    )
    async with factory() as session:
        yield session


@pytest.fixture
def scope(db_session: AsyncSession) -> Scope:
    """A scope on the test's session (no cache), for calling services directly."""
    return Scope(db_session, players=PlayerStore().access(db_session), cache=None)


def make_app(settings: Settings, connection: AsyncConnection) -> FastAPI:
    factory = async_sessionmaker(
        bind=connection,
        expire_on_commit=False,
        autoflush=False,
        join_transaction_mode="create_savepoint",
    )
    return create_app(settings, db=Database(engine=connection.engine, sessionmaker=factory))


@pytest.fixture
def app(test_settings: Settings, connection: AsyncConnection) -> FastAPI:
    """The app, every request of it inside the test's rolled-back transaction."""
    return make_app(test_settings, connection)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
async def new_client(app: FastAPI) -> AsyncIterator[Any]:
    """Make more clients of the same app: each one is a separate browser (own cookies)."""
    clients: list[httpx.AsyncClient] = []

    def make() -> httpx.AsyncClient:
        c = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
        clients.append(c)
        return c

    yield make
    for c in clients:
        await c.aclose()


@asynccontextmanager
async def serving(settings: Settings, url: str) -> AsyncIterator[FastAPI]:
    """An app instance on the database at `url`: started (lifespan), then stopped and its
    engine disposed. `state.database_url` names the database for a second instance."""
    application = create_app(settings, database_url=url)
    application.state.database_url = url
    async with application.router.lifespan_context(application):
        yield application
    await application.state.db.dispose()


@pytest.fixture
async def committed_app(test_settings: Settings, create_database: Any) -> AsyncIterator[FastAPI]:
    """An app on its own freshly migrated database, committing for real (for concurrency tests)."""
    url = create_database("lifeworld_committed")
    migrate.upgrade(url)
    async with serving(test_settings, url) as application:
        yield application


@pytest.fixture
async def committed_client(committed_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=committed_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
async def second_instance(
    committed_app: FastAPI, test_settings: Settings
) -> AsyncIterator[httpx.AsyncClient]:
    """A second app instance on `committed_app`'s database, with its own caches and listener."""
    async with serving(test_settings, committed_app.state.database_url) as other:
        transport = httpx.ASGITransport(app=other)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c
