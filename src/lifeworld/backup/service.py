"""Creating, restoring and rotating backups of the whole database (docs/BACKUPS.md)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import psycopg
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError

from lifeworld import __version__
from lifeworld.backup import pgtools
from lifeworld.backup.archive import (
    ArchiveError,
    Manifest,
    archive_name,
    created_from_name,
    extract_dump,
    read_manifest,
    write_archive,
)
from lifeworld.db import migrate
from lifeworld.db.urls import libpq_url

# Rows that are not household data: caches and one-day replay records (their tables are kept).
TRANSIENT_TABLES = ("cache_entries", "idempotency_keys", "form_submissions")
STALE_PARTIAL_S = 6 * 3600

Started = Callable[[int], None]  # how many tables the step will go through
Step = Callable[[str], None]  # one table done


@dataclass
class Report:
    """What a step reports to the command line (a progress bar); silent by default."""

    started: Started = lambda total: None
    step: Step = lambda table: None


def _tables(url: str) -> tuple[str, str | None, dict[str, int]]:
    """Server version, schema revision and rows per table of the database at `url`."""
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        version = str(conn.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
        names = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        counts = {}
        for name in names:
            if name not in TRANSIENT_TABLES:
                row = conn.execute(f'SELECT count(*) FROM public."{name}"').fetchone()
                counts[name] = int(row[0]) if row else 0
        revision = None
        if "alembic_version" in names:
            found = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = str(found[0]) if found else None
    return version, revision, counts


def create_backup(url: str, output: Path, *, now: datetime, report: Report | None = None) -> Path:
    """Dump the database at `url` into a new archive in `output`; returns its path."""
    report = report or Report()
    version, revision, counts = _tables(url)
    if revision is None:
        raise ArchiveError("the database has no schema yet: there is nothing to back up")
    output = output.absolute()  # pg_dump runs in "/": a relative ./data/backups would not exist
    output.mkdir(parents=True, exist_ok=True)
    target = output / archive_name(now)
    if target.exists():
        raise ArchiveError(f"{target} already exists (one backup per second at most)")
    conninfo, env = pgtools.connection(url)
    with tempfile.TemporaryDirectory(prefix="lifeworld-backup-", dir=output) as work:
        dump = Path(work) / "database.dump"
        argv = [
            str(pgtools.tool("pg_dump")),
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            "--verbose",
            f"--file={dump}",
            *(f"--exclude-table-data={name}" for name in TRANSIENT_TABLES),
            f"--dbname={conninfo}",
        ]
        report.started(len(counts))
        pgtools.run(argv, env=env, pattern=pgtools.DUMP_LINE, progress=report.step)
        manifest = Manifest(
            app_version=__version__,
            schema_revision=revision,
            created_at=now.isoformat(),
            server_version=version,
            tables=counts,
        )
        return write_archive(target, manifest, dump)


def _known_revision(revision: str) -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config("postgresql://"))
    try:
        found = script.get_revision(revision)
    except CommandError:
        found = None
    if found is None:
        raise ArchiveError(
            f"this backup is at schema revision {revision}, which this version of Life World OS "
            f"does not know (it knows up to {migrate.head_revision()}): restore it with the "
            "version that made it, or a newer one"
        )


def check_archive(archive: Path) -> Manifest:
    """The archive's manifest, once it is known to be one this version can restore."""
    manifest = read_manifest(archive)
    _known_revision(manifest.schema_revision)
    return manifest


def empty_database(url: str) -> None:
    """Drop everything of the database at `url` (its public schema), for a restore over it."""
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


def _server_version(url: str) -> int:
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        row = conn.execute("SHOW server_version_num").fetchone()
    return int(row[0]) if row else 0


def ensure_empty(url: str) -> None:
    """Refuse to restore over anything: the target must have no tables at all."""
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        count = conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        ).fetchone()
    if count and count[0]:
        raise ArchiveError(
            "the database is not empty: restore into an empty database "
            "(see docs/BACKUPS.md for how to start from one)"
        )


def restore_backup(url: str, archive: Path, *, report: Report | None = None) -> Manifest:
    """Restore `archive` into the empty database at `url`, then migrate it to this version."""
    report = report or Report()
    manifest = read_manifest(archive)
    _known_revision(manifest.schema_revision)
    ensure_empty(url)
    conninfo, env = pgtools.connection(url)
    with tempfile.TemporaryDirectory(prefix="lifeworld-restore-") as work:
        dump = extract_dump(archive, manifest, Path(work))
        report.started(len(manifest.tables))
        pgtools.restore(
            dump, conninfo=conninfo, env=env, server=_server_version(url), progress=report.step
        )
    counts = _tables(url)[2]
    restored = {name: counts.get(name, -1) for name in manifest.tables}
    if restored != manifest.tables:
        raise ArchiveError(f"the restored row counts differ from the manifest: {restored}")
    migrate.upgrade(url)
    from lifeworld.catalogue import sync_catalogue

    sync_catalogue(url)
    return manifest


def archives(directory: Path) -> list[tuple[datetime, Path]]:
    """The complete archives in `directory`, oldest first."""
    if not directory.is_dir():
        return []
    found = [(created_from_name(p), p) for p in directory.iterdir() if p.is_file()]
    return sorted((created, path) for created, path in found if created is not None)


def rotate(directory: Path, *, keep: int, now: datetime) -> list[Path]:
    """Delete all but the newest `keep` archives, and leftovers of interrupted ones."""
    removed = []
    for _, path in archives(directory)[:-keep] if keep > 0 else []:
        path.unlink()
        removed.append(path)
    stale = now.timestamp() - STALE_PARTIAL_S  # never one that is being written right now
    for leftover in directory.glob("*.tar.partial") if directory.is_dir() else []:
        if leftover.stat().st_mtime < stale:
            leftover.unlink()
            removed.append(leftover)
    return removed
