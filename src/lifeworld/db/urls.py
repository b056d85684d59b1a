"""Turning configured database and Redis URLs into what the drivers want, and hiding passwords."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit


def redact_url(url: str) -> str:
    """Replace the password in a URL with ***."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def sqlalchemy_url(url: str) -> str:
    """Use the psycopg 3 driver for any postgres:// or postgresql:// URL."""
    for prefix in (
        "postgres://",
        "postgresql://",
        "postgresql+psycopg2://",
        "postgresql+asyncpg://",
    ):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def libpq_url(url: str) -> str:
    """The plain libpq form (for psycopg connections and pg_dump)."""
    for prefix in (
        "postgresql+psycopg://",
        "postgresql+psycopg2://",
        "postgresql+asyncpg://",
        "postgres://",
    ):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix) :]
    return url
