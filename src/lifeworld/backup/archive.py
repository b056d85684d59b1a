"""The backup archive: one tar file with a manifest and a `pg_dump` custom-format dump.

The archive is written under a temporary name and renamed when complete, so a crash or a full
disk never leaves a half-written file that looks like a backup.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

FORMAT = "lifeworld-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DUMP = "database.dump"
PREFIX = "lifeworld-backup-"
SUFFIX = ".tar"
STAMP = "%Y%m%dT%H%M%SZ"


class ArchiveError(ValueError):
    """The file is not a usable backup; the message says why."""


@dataclass
class Manifest:
    app_version: str
    schema_revision: str
    created_at: str
    server_version: str
    tables: dict[str, int]  # rows per table at the time of the dump (data that was dumped)
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), indent=2, sort_keys=True).encode() + b"\n"


def archive_name(created: datetime) -> str:
    return f"{PREFIX}{created.astimezone(UTC).strftime(STAMP)}{SUFFIX}"


def created_from_name(path: Path) -> datetime | None:
    """When an archive was made, from its file name (None for other files)."""
    stem = path.name.removeprefix(PREFIX).removesuffix(SUFFIX)
    if not path.name.startswith(PREFIX) or not path.name.endswith(SUFFIX):
        return None
    try:
        return datetime.strptime(stem, STAMP).replace(tzinfo=UTC)
    except ValueError:
        return None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_archive(target: Path, manifest: Manifest, dump: Path) -> Path:
    """Write manifest + dump into `target` atomically (temporary name, fsync, rename)."""
    manifest.files[DUMP] = {"sha256": sha256_of(dump), "bytes": dump.stat().st_size}
    partial = target.with_name(target.name + ".partial")
    body = manifest.to_json()
    with tarfile.open(partial, "w") as tar:
        info = tarfile.TarInfo(MANIFEST)
        created = datetime.fromisoformat(manifest.created_at)
        info.size, info.mtime, info.mode = len(body), int(created.timestamp()), 0o600
        tar.addfile(info, io.BytesIO(body))
        tar.add(dump, arcname=DUMP)
    with partial.open("rb") as written:
        os.fsync(written.fileno())
    partial.chmod(0o600)  # a household's whole life: readable by its owner only
    partial.replace(target)
    return target


def read_manifest(path: Path) -> Manifest:
    """The archive's manifest, after checking it is one of ours in a format we read."""
    try:
        with tarfile.open(path, "r") as tar:
            member = tar.extractfile(MANIFEST)
            if member is None:
                raise ArchiveError(f"{path.name} has no {MANIFEST}")
            data = json.loads(member.read())
    except (tarfile.TarError, KeyError, json.JSONDecodeError, OSError) as exc:
        raise ArchiveError(f"{path.name} is not a Life World OS backup ({exc})") from None
    if data.get("format") != FORMAT:
        raise ArchiveError(f"{path.name} is not a Life World OS backup")
    if data.get("format_version") != FORMAT_VERSION:
        raise ArchiveError(
            f"{path.name} uses backup format {data.get('format_version')}; "
            f"this version reads format {FORMAT_VERSION}"
        )
    try:
        return Manifest(**{k: data[k] for k in Manifest.__dataclass_fields__})
    except KeyError as exc:
        raise ArchiveError(f"{path.name}: the manifest lacks {exc}") from None


def extract_dump(path: Path, manifest: Manifest, into: Path) -> Path:
    """Extract the dump and check it against the manifest's checksum."""
    expected = manifest.files.get(DUMP, {})
    target = into / DUMP
    with tarfile.open(path, "r") as tar:
        source = tar.extractfile(DUMP)
        if source is None:
            raise ArchiveError(f"{path.name} has no {DUMP}")
        with target.open("wb") as out:
            for block in iter(lambda: source.read(1 << 20), b""):
                out.write(block)
    if sha256_of(target) != expected.get("sha256"):
        raise ArchiveError(f"{path.name} is damaged: the database dump fails its checksum")
    return target
