"""`lifeworld backup create|restore|list`: the whole database in one archive, and back."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import psycopg
import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from lifeworld.backup.archive import ArchiveError, read_manifest
from lifeworld.backup.pgtools import ToolError
from lifeworld.backup.scheduler import backup_dir
from lifeworld.backup.service import Report, archives, create_backup, restore_backup, rotate
from lifeworld.cli.common import console, fail, ready_database, settings_or_exit
from lifeworld.clock import clock

app = typer.Typer(help="Backups: create, restore, list.", no_args_is_help=True)
T = TypeVar("T")


@contextmanager
def _progress(label: str) -> Iterator[Report]:
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[table]}"),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        task = progress.add_task(label, total=None, table="")

        def started(total: int) -> None:
            progress.update(task, total=total)

        def step(table: str) -> None:
            progress.update(task, advance=1, table=table.removeprefix("public."))

        yield Report(started=started, step=step)


def _with_database(work: Callable[[str], T]) -> T:
    settings = settings_or_exit()
    url, embedded, started = ready_database(settings)
    try:
        return work(url)
    except (ArchiveError, ToolError) as exc:
        fail(str(exc))
    except psycopg.OperationalError as exc:
        fail(f"cannot reach the database: {exc}")
    finally:
        if started and embedded is not None:
            embedded.stop()


@app.command()
def create(
    output: Path | None = typer.Option(None, "--output", "-o", help="Directory for the archive."),
    keep: int | None = typer.Option(None, "--keep", min=1, help="Then keep only the newest N."),
) -> None:
    """Write one archive of all household data and the schema revision."""
    settings = settings_or_exit()
    directory = output or backup_dir(settings)

    def work(url: str) -> Path:
        with _progress("dumping") as report:
            made = create_backup(url, directory, now=clock.now(), report=report)
        if keep is not None:
            rotate(directory, keep=keep, now=clock.now())
        return made

    made = _with_database(work)
    manifest = read_manifest(made)
    rows = sum(manifest.tables.values())
    size = made.stat().st_size
    console.print(
        f"[green]✓[/] {made} ({size:,} bytes, {rows:,} rows, schema {manifest.schema_revision})"
    )


@app.command()
def restore(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="The archive."),
) -> None:
    """Restore an archive into an EMPTY database, then migrate it to this version."""

    def work(url: str) -> str:
        with _progress("restoring") as report:
            manifest = restore_backup(url, file, report=report)
        return manifest.schema_revision

    revision = _with_database(work)
    console.print(f"[green]✓[/] restored {file.name} (made at schema {revision}), now migrated")


@app.command("list")
def list_archives(
    directory: Path | None = typer.Argument(None, help="Default: the backup directory."),
) -> None:
    """The archives in the backup directory, newest last."""
    where = directory or backup_dir(settings_or_exit())
    table = Table("archive", "created (UTC)", "bytes", "schema")
    for created, path in archives(where):
        try:
            revision = read_manifest(path).schema_revision
        except ArchiveError:
            revision = "unreadable"
        table.add_row(path.name, created.isoformat(), f"{path.stat().st_size:,}", revision)
    console.print(table if table.row_count else f"no backups in {where}")
