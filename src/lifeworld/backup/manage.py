"""Backups for the Settings page: the archives listed, a new one made, one handed out by name.

The same functions as `lifeworld backup` (backup/service.py), in a worker thread (pg_dump takes
a while); a download names an archive of the backup directory only, never a path.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from lifeworld.backup.archive import ArchiveError, created_from_name
from lifeworld.backup.pgtools import ToolError
from lifeworld.backup.scheduler import backup_dir
from lifeworld.backup.service import archives, create_backup
from lifeworld.errors import Conflict, NotFound
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
