"""The scheduled backup: while the app runs, one archive a day (by default), the newest 7 kept.

Several workers or instances may run the schedule at once: a PostgreSQL advisory lock lets one
of them work, and each checks the newest archive's time first, so a day gets one backup.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from pathlib import Path

import psycopg

from lifeworld.backup.archive import ArchiveError
from lifeworld.backup.pgtools import ToolError
from lifeworld.backup.service import archives, create_backup, rotate
from lifeworld.clock import clock
from lifeworld.db.urls import libpq_url
from lifeworld.settings import Environment, Settings

log = logging.getLogger(__name__)

BACKUP_LOCK_KEY = 0x4C57_0003  # advisory lock: one scheduled backup at a time, everywhere
CHECK_EVERY_S = 600.0


def backup_dir(settings: Settings) -> Path:
    return settings.backup_dir or settings.data_dir / "backups"


def run_due(settings: Settings, url: str, *, now: datetime) -> Path | None:
    """Make a backup if the newest is older than the interval; rotate. None if not due or busy."""
    directory = backup_dir(settings)
    interval = timedelta(hours=settings.backup_interval_hours)
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        locked = conn.execute("SELECT pg_try_advisory_lock(%s)", (BACKUP_LOCK_KEY,)).fetchone()
        if not locked or not locked[0]:
            return None
        try:
            existing = archives(directory)
            if existing and now - existing[-1][0] < interval:
                return None
            made = create_backup(url, directory, now=now)
            rotate(directory, keep=settings.backup_keep, now=now)
            return made
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (BACKUP_LOCK_KEY,))


class BackupScheduler:
    """Checks every few minutes whether a backup is due (in a thread: pg_dump takes a while)."""

    def __init__(self, settings: Settings, url: str) -> None:
        self.settings = settings
        self.url = url
        self.task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.task = asyncio.create_task(self._loop(), name="lifeworld-backups")

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)

    async def _loop(self) -> None:
        while True:
            try:
                made = await asyncio.to_thread(run_due, self.settings, self.url, now=clock.now())
                if made is not None:
                    log.info("scheduled backup written to %s", made)
            except (ToolError, ArchiveError, OSError) as exc:
                # A full disk or a failing pg_dump must not stop the app; the next check tries
                # again. What went wrong, in words, without a traceback in the user's terminal.
                log.error("the scheduled backup failed: %s", exc)
            except Exception:
                log.exception("the scheduled backup failed")
            await asyncio.sleep(CHECK_EVERY_S)


def scheduled_backups(settings: Settings, url: str) -> BackupScheduler | None:
    """Start the schedule for a running app; None when switched off or under tests."""
    if settings.backup_interval_hours <= 0 or settings.env is Environment.TEST:
        return None
    scheduler = BackupScheduler(settings, url)
    scheduler.start()
    return scheduler
