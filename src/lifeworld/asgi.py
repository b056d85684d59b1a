"""The ASGI entry point uvicorn workers import: builds the app from the environment."""

from __future__ import annotations

from fastapi import FastAPI

from lifeworld.app import create_app
from lifeworld.db.resolve import database_url
from lifeworld.logging_setup import configure_logging
from lifeworld.settings import load_settings


def app_from_environment(*, redirect_plain_http: bool = False) -> FastAPI:
    """Used as `uvicorn --factory --no-proxy-headers lifeworld.asgi:app_from_environment` (the
    app reads the proxies' headers itself: lifeworld/forwarding.py)."""
    settings = load_settings()
    configure_logging(settings.log_level)
    return create_app(
        settings, database_url=database_url(settings), redirect_plain_http=redirect_plain_http
    )


def https_app_from_environment() -> FastAPI:
    """What `lifeworld serve` runs with TLS on: plain HTTP on the same port is redirected,
    except the Connect a phone page (tls/listener.py tells the two apart)."""
    return app_from_environment(redirect_plain_http=True)
