"""Where the database is: the configured URL, or the embedded server under the data directory."""

from __future__ import annotations

from lifeworld.db.embedded import EmbeddedPostgres
from lifeworld.settings import Settings


def embedded_for(settings: Settings) -> EmbeddedPostgres | None:
    return EmbeddedPostgres(settings.data_dir) if settings.uses_embedded_database else None


def database_url(settings: Settings) -> str:
    """The URL to connect to; for the embedded server, it must be started first."""
    if settings.database_url:
        return settings.database_url
    embedded = EmbeddedPostgres(settings.data_dir)
    return embedded.url()
