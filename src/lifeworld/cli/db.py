"""`lifeworld db …`: migrations and the embedded server."""

from __future__ import annotations

import typer
from sqlalchemy.exc import OperationalError

from lifeworld.cli.common import console, fail, ready_database, settings_or_exit
from lifeworld.db import migrate
from lifeworld.db.embedded import EmbeddedPostgres
from lifeworld.db.urls import libpq_url, redact_url

app = typer.Typer(help="Database migrations and the embedded PostgreSQL.", no_args_is_help=True)


@app.command()
def upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    url, _, _ = ready_database(settings_or_exit())
    try:
        changed = migrate.upgrade(url, revision)
    except OperationalError as exc:
        fail(f"cannot reach the database: {exc.orig}")
    console.print(
        "migrated" if changed else "already up to date", f"({migrate.current_revision(url)})"
    )


@app.command()
def downgrade(
    revision: str = typer.Argument(..., help="Target revision, e.g. -1 or base."),
) -> None:
    """Revert migrations down to REVISION."""
    url, _, _ = ready_database(settings_or_exit())
    migrate.downgrade(url, revision)
    console.print(f"now at {migrate.current_revision(url)}")


@app.command()
def current() -> None:
    """Show the database's revision and the newest one this version ships."""
    url, _, _ = ready_database(settings_or_exit())
    console.print(f"database: {migrate.current_revision(url)}  head: {migrate.head_revision()}")


@app.command()
def start() -> None:
    """Start the embedded PostgreSQL (it keeps running until `lifeworld db stop`)."""
    settings = settings_or_exit()
    if settings.database_url:
        fail("LIFEWORLD_DATABASE_URL is set: there is no embedded database to start.")
    _, embedded, started = ready_database(settings)
    assert embedded is not None
    console.print(("started" if started else "already running") + f" ({embedded.pgdata})")


@app.command()
def stop() -> None:
    """Stop the embedded PostgreSQL."""
    settings = settings_or_exit()
    if settings.database_url:
        fail("LIFEWORLD_DATABASE_URL is set: there is no embedded database to stop.")
    EmbeddedPostgres(settings.data_dir).stop()
    console.print("stopped")


@app.command()
def url() -> None:
    """Print the database URL in use, in libpq form for psql and pg_dump (password hidden)."""
    settings = settings_or_exit()
    if settings.database_url:
        typer.echo(redact_url(libpq_url(settings.database_url)))
    else:
        typer.echo(libpq_url(EmbeddedPostgres(settings.data_dir).url()))
