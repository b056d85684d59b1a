"""What every command shares: settings that fail with a readable message, the console."""

from __future__ import annotations

from typing import Any, NoReturn

import typer
from rich.console import Console

from lifeworld.db.embedded import EmbeddedDatabaseError, EmbeddedPostgres
from lifeworld.db.resolve import database_url
from lifeworld.settings import Settings, SettingsError, load_settings

console = Console()
err_console = Console(stderr=True)


def fail(message: str, code: int = 1) -> NoReturn:
    err_console.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)


def settings_or_exit(**overrides: Any) -> Settings:
    try:
        return load_settings(**{k: v for k, v in overrides.items() if v is not None})
    except SettingsError as exc:
        fail(str(exc), 2)


def ready_database(settings: Settings) -> tuple[str, EmbeddedPostgres | None, bool]:
    """The database URL, starting the embedded server if it is the one in use.

    Returns (url, embedded server or None, whether this call started it).
    """
    if settings.database_url:
        return settings.database_url, None, False
    embedded = EmbeddedPostgres(settings.data_dir)
    try:
        started = embedded.ensure_started()
    except EmbeddedDatabaseError as exc:
        fail(f"the embedded PostgreSQL would not start: {exc}")
    return database_url(settings), embedded, started
