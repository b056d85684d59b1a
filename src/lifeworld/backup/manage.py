"""Backups for the Settings page: the archives listed, a new one made, one handed out by name,
one restored over the running database.

The same functions as `lifeworld backup` (backup/service.py), in a worker thread (pg_dump takes
a while); a download or a restore names an archive of the backup directory only, never a path.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import psycopg
from sqlalchemy import select

from lifeworld.accounts import auth_cache
from lifeworld.accounts.models import User
from lifeworld.backup.archive import ArchiveError, created_from_name
from lifeworld.backup.pgtools import ToolError
from lifeworld.backup.scheduler import BACKUP_LOCK_KEY, backup_dir
from lifeworld.backup.service import (
    archives,
    check_archive,
    create_backup,
    empty_database,
    restore_backup,
)
from lifeworld.db.scope import Scope
from lifeworld.db.urls import libpq_url
from lifeworld.errors import Conflict, NotFound
from lifeworld.players import state_cache
from lifeworld.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Archive:
    name: str
    created_at: datetime
    size: int


def list_backups(settings: Settings) -> list[Archive]:
    """The complete archives of the backup directory, newest first."""
    return [
        Archive(name=path.name, created_at=created, size=path.stat().st_size)
        for created, path in reversed(archives(backup_dir(settings)))
    ]


async def make_backup(settings: Settings, url: str, *, now: datetime) -> Archive:
    """A new archive of the whole database, now."""
    try:
        path = await asyncio.to_thread(create_backup, url, backup_dir(settings), now=now)
    except (ArchiveError, ToolError, OSError) as exc:
        log.error("a backup from the Settings page failed: %s", exc)
        raise Conflict(f"The backup could not be made: {exc}", code="backup_failed") from None
    return Archive(name=path.name, created_at=now, size=path.stat().st_size)


def backup_file(settings: Settings, name: str) -> Path:
    """The archive called `name` in the backup directory; 404 for anything else (a path, a
    file that is not an archive, one that does not exist)."""
    directory = backup_dir(settings).absolute()
    if "/" in name or "\\" in name or created_from_name(Path(name)) is None:
        raise NotFound("There is no such backup.")
    path = directory / name
    if path.parent != directory or not path.is_file():
        raise NotFound("There is no such backup.")
    return path


@dataclass(frozen=True)
class Restored:
    name: str
    safety: str  # the archive of the database as it was just before


def _restore(settings: Settings, url: str, path: Path, *, now: datetime) -> Restored:
    """Keep the database as it is in a new archive, then put `path` in its place; should the
    restore fail, the database is put back from that archive."""
    check_archive(path)  # refused before anything is touched
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        locked = conn.execute("SELECT pg_try_advisory_lock(%s)", (BACKUP_LOCK_KEY,)).fetchone()
        if not locked or not locked[0]:
            raise ArchiveError("a backup is being made right now: try again in a minute")
        try:
            safety = create_backup(url, backup_dir(settings), now=now)
            empty_database(url)
            try:
                restore_backup(url, path)
            except (ArchiveError, ToolError, OSError):
                log.error("restoring %s failed: putting back %s", path.name, safety.name)
                empty_database(url)
                restore_backup(url, safety)
                raise
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (BACKUP_LOCK_KEY,))
    return Restored(name=path.name, safety=safety.name)


async def _user_ids(scope: Scope) -> set[int]:
    return set(await scope.session.scalars(select(User.id)))


async def restore(
    scope: Scope, settings: Settings, url: str, *, name: str, now: datetime
) -> Restored:
    """Replace the whole database with the archive called `name` (every household's data as it
    was then); every cached sign-in and state is dropped everywhere afterwards."""
    path = backup_file(settings, name)
    before = await _user_ids(scope)
    # The request's own transaction ends first: its locks would keep the schema from going.
    await scope.commit()
    try:
        restored = await asyncio.to_thread(_restore, settings, url, path, now=now)
    except (ArchiveError, ToolError, OSError) as exc:
        log.error("a restore from the Settings page failed: %s", exc)
        raise Conflict(f"Nothing was restored: {exc}", code="restore_failed") from None
    for user_id in before | await _user_ids(scope):
        state_cache.forget(scope, user_id)
        auth_cache.forget_user(scope, user_id)
    return restored
