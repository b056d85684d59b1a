"""create_app(settings): wires routers, error handling, middleware and the lifespan."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from lifeworld import __version__
from lifeworld.accounts.owner import InstanceOwner
from lifeworld.accounts.security import Security
from lifeworld.backup.scheduler import scheduled_backups
from lifeworld.cache.factory import build_cache
from lifeworld.connect.plain_http import PlainHttpRedirect
from lifeworld.db.session import Database, create_database
from lifeworld.forwarding import ForwardedClient
from lifeworld.idempotency.middleware import install_idempotency
from lifeworld.json_body import strict_json_routes
from lifeworld.middleware import AnswerErrors, BodyLimit, HeadAsGet, HostGuard, SecurityHeaders
from lifeworld.net import allowed_hosts
from lifeworld.openapi import document_errors
from lifeworld.ops import events as ops_events
from lifeworld.ops.middleware import RequestMetrics
from lifeworld.ops.recorder import Recorder
from lifeworld.places.runtime import build_places
from lifeworld.portability.api import IMPORT_PATH
from lifeworld.routers import routers
from lifeworld.routes import add_routes, index_routes, lean_routes
from lifeworld.settings import Environment, Settings
from lifeworld.translator import ErrorTranslator
from lifeworld.web.error_pages import render_error_page
from lifeworld.web.formats import NumberStyle
from lifeworld.web.install import install_web

log = logging.getLogger(__name__)

TEST_HOSTS = ("testserver", "test")


def settle_heap() -> None:
    """Take what start-up built (modules, the catalogue, the gazetteer's index) out of the
    garbage collector's full passes.

    Under load a full (generation 2) collection walked that whole heap with the event loop
    stopped, about once a second, and every request in flight waited (docs/PERFORMANCE.md).
    Objects made later are collected as usual. Not under tests, where many apps share one
    process.
    """
    gc.collect()
    gc.freeze()


def create_app(
    settings: Settings,
    *,
    database_url: str | None = None,
    db: Database | None = None,
    redirect_plain_http: bool = False,
) -> FastAPI:
    """The ASGI app for one instance; `database_url` or a ready `db` say where PostgreSQL is.

    `redirect_plain_http`: the listener also takes plain HTTP on the TLS port (tls/listener.py),
    and those requests are sent to HTTPS (connect/plain_http.py).
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        log.info("Life World OS %s starting with %s", __version__, settings.redacted())
        await app.state.cache.start()  # invalidation listeners and the expired-row sweeper
        await app.state.ops.start(db=app.state.db, cache=app.state.cache)
        backups = scheduled_backups(settings, cache_url)  # None under tests or when off
        if settings.env is not Environment.TEST:
            settle_heap()
        try:
            yield
        finally:
            if backups is not None:
                await backups.stop()
            await app.state.ops.stop()  # writes the last minute's figures
            await app.state.cache.close()
        if owns_db:
            await app.state.db.dispose()

    app = FastAPI(
        title="Life World OS",
        version=__version__,
        description="A self-hosted, gamified life operating system for a household.",
        lifespan=lifespan,
        docs_url=None,  # the app's own /api/docs (web/api_docs.py): no CDN, no inline script
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    owns_db = db is None
    if db is None:
        url = database_url or settings.database_url
        if not url:
            raise ValueError("create_app needs a database URL (the CLI resolves the embedded one)")
        db = create_database(
            url,
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
            read_pool_size=settings.db_read_pool_size,
            write_pool_size=settings.db_write_pool_size,
            connect_timeout_s=settings.db_connect_timeout_s,
            statement_timeout_ms=settings.db_statement_timeout_ms,
        )
    app.state.settings = settings
    app.state.db = db
    app.state.security = Security.from_settings(settings)
    app.state.owner = InstanceOwner()  # who sees the whole installation's figures
    # The cache's own connections come from the same URL; with a ready-made `db` (tests) the
    # URL is the engine's. They are held only while the lifespan runs (see cache/README.md).
    cache_url = database_url or settings.database_url or db.engine.url.render_as_string(False)
    app.state.cache = build_cache(settings, cache_url)
    app.state.backup_url = cache_url  # the database the Settings page backs up
    app.state.cache_health = app.state.cache.health
    app.state.places = build_places(settings, app.state.cache)
    # Metrics and the per-minute figures (ops/README.md); hooks attach while the lifespan runs.
    app.state.ops = Recorder(settings, security=app.state.security, url=cache_url)
    ops_events.install()

    translator = ErrorTranslator(page_renderer=render_error_page)
    translator.install(app)
    document_errors(app)
    install_web(app)
    for router in routers(testing=settings.env is Environment.TEST):
        add_routes(app, router)
    strict_json_routes(app)  # one JSON decoder for every body: a repeated key is malformed
    index_routes(app)
    lean_routes(app)

    install_idempotency(app, ttl_hours=settings.idempotency_ttl_hours)  # innermost middleware
    extra = TEST_HOSTS if settings.env is Environment.TEST else ()
    if settings.mdns:
        extra = (*extra, f"{settings.mdns_name}.local")  # the name it announces (mdns.py)
    app.add_middleware(AnswerErrors, answer=translator.answer)  # inside the headers and metrics
    app.add_middleware(NumberStyle)  # numbers in the browser's language (web/formats.py)
    app.add_middleware(HeadAsGet)
    app.add_middleware(HostGuard, allowed=lambda: allowed_hosts(settings.public_url, extra))
    app.add_middleware(
        BodyLimit,
        max_bytes=settings.max_body_bytes,
        respond=translator.respond,
        limits={IMPORT_PATH: settings.max_import_bytes},  # a player's whole history
    )
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RequestMetrics, recorder=app.state.ops)  # times everything below
    if redirect_plain_http:
        app.add_middleware(PlainHttpRedirect)  # a trusted proxy's X-Forwarded-Proto counts
    # Outermost: every part of the app sees the client a trusted proxy names (forwarding.py).
    app.add_middleware(ForwardedClient, trusted=settings.forwarded_allow_ips)
    return app
