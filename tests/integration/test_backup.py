"""Backups: create → wipe → restore gives every player's export back byte for byte; refusals;
forward migration; the schedule and its rotation; the console script, also on the embedded one."""

from __future__ import annotations

import asyncio
import io
import json
import os
import shutil
import sys
import tarfile
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg
import pytest
from fastapi import FastAPI

from lifeworld.app import create_app
from lifeworld.backup.archive import ArchiveError, read_manifest
from lifeworld.backup.scheduler import run_due
from lifeworld.backup.service import archives, create_backup, restore_backup, rotate
from lifeworld.clock import clock
from lifeworld.db import migrate
from lifeworld.db.urls import libpq_url
from lifeworld.settings import Settings
from tests.integration.factories import PASSWORD, invite_code, join, set_up_household
from tests.security.players import build_rich_player

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
LIFEWORLD = Path(sys.executable).parent / "lifeworld"


def _client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


def _recreate_empty(url: str) -> None:
    """Wipe: drop the database and create it again, empty, under the same name."""
    parts = urlsplit(libpq_url(url))
    name = parts.path.lstrip("/")
    server = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


async def _household_with_history(app: FastAPI) -> dict[str, str]:
    """Ada (admin) and Vic (member), both with something of everything: their API tokens."""
    tokens = {}
    async with _client(app) as ada, _client(app) as vic:
        body = await set_up_household(ada, timezone="Europe/London")
        joined = await join(vic, await invite_code(ada), username="vic")
        await build_rich_player(ada, ada, user_id=body["user"]["id"], marker="ada-backup")
        await build_rich_player(vic, ada, user_id=joined["user"]["id"], marker="vic-backup")
        for name, client in (("ada", ada), ("vic", vic)):
            made = await client.post("/api/v1/auth/tokens", json={"name": "backup test"})
            tokens[name] = made.json()["token"]
    return tokens


async def _exports(app: FastAPI, tokens: dict[str, str]) -> dict[str, bytes]:
    found = {}
    async with _client(app) as client:
        for name, token in tokens.items():
            answer = await client.get(
                "/api/v1/me/export", headers={"Authorization": f"Bearer {token}"}
            )
            assert answer.status_code == 200, answer.text
            found[name] = answer.content
    return found


async def _with_app(settings: Settings, url: str, work: Callable[[FastAPI], Any]) -> Any:
    app = create_app(settings, database_url=url)
    async with app.router.lifespan_context(app):
        result = await work(app)
    await app.state.db.dispose()
    return result


async def test_create_wipe_restore_gives_every_export_back_byte_for_byte(
    test_settings: Settings, create_database: Any, tmp_path: Path
) -> None:
    url = create_database("lifeworld_backup")
    migrate.upgrade(url)
    clock.pin(T0)
    tokens = await _with_app(test_settings, url, _household_with_history)
    before = await _with_app(test_settings, url, lambda app: _exports(app, tokens))
    archive = await asyncio.to_thread(create_backup, url, tmp_path, now=T0)
    manifest = read_manifest(archive)
    assert manifest.schema_revision == migrate.head_revision()
    assert manifest.tables["activities"] == 6 and manifest.tables["users"] == 2
    assert oct(archive.stat().st_mode & 0o777) == "0o600"

    _recreate_empty(url)
    with pytest.raises(psycopg.errors.UndefinedTable), psycopg.connect(libpq_url(url)) as conn:
        conn.execute("SELECT 1 FROM users")
    await asyncio.to_thread(restore_backup, url, archive)

    after = await _with_app(test_settings, url, lambda app: _exports(app, tokens))
    assert after == before
    assert len(before["ada"]) > 5000 and before["ada"] != before["vic"]


async def test_restore_refuses_a_database_that_is_not_empty(
    create_database: Any, tmp_path: Path
) -> None:
    url = create_database("lifeworld_backup_full")
    migrate.upgrade(url)
    archive = await asyncio.to_thread(create_backup, url, tmp_path, now=T0)
    with pytest.raises(ArchiveError, match="not empty"):
        await asyncio.to_thread(restore_backup, url, archive)


def _rewrite(archive: Path, target: Path, *, manifest: dict[str, Any] | None, flip: bool) -> Path:
    with tarfile.open(archive) as source, tarfile.open(target, "w") as out:
        for member in source.getmembers():
            data = source.extractfile(member).read()  # type: ignore[union-attr]
            if member.name == "manifest.json" and manifest is not None:
                data = json.dumps({**json.loads(data), **manifest}).encode()
            if member.name == "database.dump" and flip:
                data = data[:-100] + bytes([data[-100] ^ 0xFF]) + data[-99:]
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    return target


async def test_damaged_foreign_and_newer_archives_are_refused_before_writing(
    create_database: Any, tmp_path: Path
) -> None:
    source = create_database("lifeworld_backup_src")
    migrate.upgrade(source)
    archive = await asyncio.to_thread(create_backup, source, tmp_path, now=T0)
    empty = create_database("lifeworld_backup_dst")
    cases = {
        "damaged": (_rewrite(archive, tmp_path / "a.tar", manifest=None, flip=True), "damaged"),
        "newer": (
            _rewrite(archive, tmp_path / "b.tar", manifest={"schema_revision": "9999"}, flip=False),
            "does not know",
        ),
        "future format": (
            _rewrite(archive, tmp_path / "c.tar", manifest={"format_version": 2}, flip=False),
            "format 2",
        ),
    }
    not_a_backup = tmp_path / "d.tar"
    not_a_backup.write_bytes(b"hello")
    for name, (path, message) in cases.items():
        with pytest.raises(ArchiveError, match=message):
            await asyncio.to_thread(restore_backup, empty, path)
        with psycopg.connect(libpq_url(empty)) as conn:
            tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname='public'")
            assert tables.fetchone() == (0,), name
    with pytest.raises(ArchiveError, match="not a Life World OS backup"):
        read_manifest(not_a_backup)


async def test_an_archive_from_an_older_schema_is_migrated_forward(
    create_database: Any, tmp_path: Path
) -> None:
    old = create_database("lifeworld_backup_old")
    migrate.upgrade(old, "0003")
    with psycopg.connect(libpq_url(old)) as conn:
        conn.execute("INSERT INTO households (name, timezone) VALUES ('Old Times', 'UTC')")
    archive = await asyncio.to_thread(create_backup, old, tmp_path, now=T0)
    assert read_manifest(archive).schema_revision == "0003"
    target = create_database("lifeworld_backup_new")
    await asyncio.to_thread(restore_backup, target, archive)
    assert migrate.current_revision(target) == migrate.head_revision()
    with psycopg.connect(libpq_url(target)) as conn:
        assert conn.execute("SELECT name FROM households").fetchall() == [("Old Times",)]
        keys = conn.execute("SELECT count(*) FROM idempotency_keys").fetchone()
        assert keys == (0,)  # a table of a later revision exists now


async def test_the_schedule_makes_one_backup_a_day_and_keeps_the_newest(
    test_settings: Settings, create_database: Any, tmp_path: Path
) -> None:
    url = create_database("lifeworld_backup_schedule")
    migrate.upgrade(url)
    settings = test_settings.model_copy(
        update={"backup_dir": tmp_path, "backup_keep": 2, "backup_interval_hours": 24.0}
    )
    made = [await asyncio.to_thread(run_due, settings, url, now=T0)]
    made.append(await asyncio.to_thread(run_due, settings, url, now=T0 + timedelta(hours=23)))
    assert made[0] is not None and made[1] is None  # not due yet
    stale = tmp_path / "lifeworld-backup-20260101T000000Z.tar.partial"
    stale.write_bytes(b"interrupted")
    os.utime(stale, (T0.timestamp() - 86400, T0.timestamp() - 86400))
    for hours in (24, 48, 72):
        assert await asyncio.to_thread(
            run_due, settings, url, now=T0 + timedelta(hours=hours, minutes=1)
        )
    kept = [created for created, _ in archives(tmp_path)]
    assert kept == [T0 + timedelta(hours=48, minutes=1), T0 + timedelta(hours=72, minutes=1)]
    assert not stale.exists()
    assert rotate(tmp_path, keep=7, now=T0) == []


async def test_a_relative_backup_directory_works(
    test_settings: Settings,
    create_database: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The default data directory is ./data: the scheduled backup on a fresh install failed
    ("could not open output file data/backups/…") because pg_dump runs in "/"."""
    url = create_database("lifeworld_backup_relative")
    migrate.upgrade(url)
    monkeypatch.chdir(tmp_path)
    settings = test_settings.model_copy(update={"backup_dir": Path("data/backups")})
    made = await asyncio.to_thread(run_due, settings, url, now=T0)
    assert made is not None and made.is_absolute()
    assert made.parent == tmp_path / "data" / "backups"
    assert read_manifest(made).schema_revision


async def _cli(*args: str, env: dict[str, str], stdin: str = "") -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        str(LIFEWORLD),
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env=env,
        cwd="/",
    )
    out, _ = await asyncio.wait_for(process.communicate(stdin.encode()), timeout=180)
    assert process.returncode is not None
    return process.returncode, out.decode()


def _cli_env(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIFEWORLD_")}
    env.update({f"LIFEWORLD_{k.upper()}": v for k, v in settings.items()})
    env.update({"LIFEWORLD_ENV": "test", "LIFEWORLD_SECRET_KEY": "x" * 40, "COLUMNS": "160"})
    return env


async def test_the_console_script_on_an_external_database(
    create_database: Any, tmp_path: Path
) -> None:
    source = create_database("lifeworld_backup_cli")
    migrate.upgrade(source)
    env = _cli_env(database_url=source, data_dir=str(tmp_path))
    household = ("household", "create", "Cli Home", "--admin", "carol", "--email", "c@x.org")
    code, out = await _cli(*household, "--password-stdin", env=env, stdin=PASSWORD)
    assert code == 0, out
    code, out = await _cli("backup", "create", "--output", str(tmp_path / "out"), env=env)
    assert code == 0, out
    (made,) = [p for _, p in archives(tmp_path / "out")]
    assert made.name in out and "schema" in out
    code, out = await _cli("backup", "list", str(tmp_path / "out"), env=env)
    assert code == 0 and made.name in out, out
    code, out = await _cli("backup", "restore", str(made), env=env)
    assert code == 1 and "not empty" in out and "Traceback" not in out
    target = create_database("lifeworld_backup_cli_target")
    code, out = await _cli("backup", "restore", str(made), env=_cli_env(database_url=target))
    assert code == 0, out
    code, out = await _cli("user", "list", env=_cli_env(database_url=target))
    assert "carol" in out and "Cli Home" in out, out


async def test_the_console_script_on_the_embedded_database(create_database: Any) -> None:
    """A home install: the bundled server and its bundled pg_dump; restore into a new one, and
    into the tests' own server (the move to a managed database: PostgreSQL 15 on ours)."""
    # Not under pytest's base temp (reset to 0700 by any pytest that starts): the server runs
    # as its own system user when we are root.
    tmp_path = Path(tempfile.mkdtemp(prefix="lifeworld-backup-home-"))
    os.chmod(tmp_path, 0o755)
    try:
        made = await _embedded_round_trip(tmp_path)
        managed = _cli_env(database_url=create_database("lifeworld_backup_from_home"))
        code, out = await _cli("backup", "restore", str(made), env=managed)
        assert code == 0, out
        code, out = await _cli("user", "list", env=managed)
        assert "dora" in out and "Embedded Home" in out, out
    finally:
        shutil.rmtree(tmp_path, ignore_errors=True)


async def _embedded_round_trip(tmp_path: Path) -> Path:
    first = _cli_env(data_dir=str(tmp_path / "home"))
    code, out = await _cli("setup", env=first)
    assert code == 0, out
    household = ("household", "create", "Embedded Home", "--admin", "dora", "--email", "d@x.org")
    code, out = await _cli(*household, "--password-stdin", env=first, stdin=PASSWORD)
    assert code == 0, out
    code, out = await _cli("backup", "create", env=first)
    assert code == 0, out
    (made,) = [p for _, p in archives(tmp_path / "home" / "backups")]
    assert read_manifest(made).server_version.startswith("18")
    second = _cli_env(data_dir=str(tmp_path / "elsewhere"))
    code, out = await _cli("backup", "restore", str(made), env=second)
    assert code == 0, out
    code, out = await _cli("user", "list", env=second)
    assert "dora" in out and "Embedded Home" in out, out
    return made
