"""`lifeworld advise` in a terminal: the real figures, --simulate, --json, and refusals."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from typer.testing import CliRunner

from lifeworld.cli.main import app
from lifeworld.db import migrate
from lifeworld.db.urls import libpq_url
from tests.faults.harness import free_port

QUIET = "You are in the MVP phase: PostgreSQL cache is enough. Nothing to do."


@pytest.fixture
def advise_db(create_database: Any) -> str:
    url: str = create_database("lifeworld_advise")
    migrate.upgrade(url)
    return url


def advise(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIFEWORLD_")}
    env |= {"LIFEWORLD_DATABASE_URL": url, "LIFEWORLD_ENV": "test", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-c", "from lifeworld.cli import main; main()", "advise", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def add_lookups(url: str, count: int) -> None:
    """A minute of this instance's history ten minutes ago with `count` cached lookups."""
    minute = (datetime.now(UTC) - timedelta(minutes=10)).replace(second=0, microsecond=0)
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute(
            "INSERT INTO ops_minutes (minute, instance, written_at, lookups, hits, place_lookups)"
            " VALUES (%s, 'cli-test', now(), %s, %s, %s)",
            (minute, count, count // 2, count),
        )


def test_advise_reads_the_recorded_figures(advise_db: str) -> None:
    quiet = advise(advise_db)
    assert quiet.returncode == 0, quiet.stderr
    assert QUIET in quiet.stdout
    assert "Phase: MVP (0 users) · estimated cost $0/month" in quiet.stdout
    for heading in ("The five figures now", "Triggers (add Redis when any fires)", "Phases and"):
        assert heading in quiet.stdout
    assert "Release 3 Phase 2" in quiet.stdout and "$18–80/month" in quiet.stdout

    add_lookups(advise_db, 1500)
    busy = advise(advise_db)
    assert busy.returncode == 0, busy.stderr
    assert "Add Redis: queries per day is past the threshold." in busy.stdout
    assert "1,500 queries/day" in busy.stdout

    as_json = advise(advise_db, "--json")
    assert as_json.returncode == 0, as_json.stderr
    body = json.loads(as_json.stdout)
    assert body["figures"]["queries_per_day"]["count"] == 1500
    assert body["advice"]["action"] == "add_redis"
    fired = [t["name"] for t in body["advice"]["triggers"] if t["fired"]]
    assert fired == ["queries_per_day"]


def test_advise_simulates_a_load(advise_db: str) -> None:
    result = advise(advise_db, "--simulate", "users=120,queries_per_day=5000")
    assert result.returncode == 0, result.stderr
    assert "Simulated: users=120,queries_per_day=5000" in result.stdout
    assert (
        "Add Redis: concurrent users and queries per day are past the threshold." in result.stdout
    )
    assert "Phase: Release 3 Phase 2 (120 users) · estimated cost $18–80/month" in result.stdout
    calm = advise(advise_db, "--simulate", "users=3,queries_per_day=40,hit_rate=95%")
    assert calm.returncode == 0, calm.stderr
    assert QUIET in calm.stdout


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("users=lots", "--simulate: users must be a whole number of 0 or more"),
        ("visitors=3", "--simulate: unknown figure 'visitors'"),
        ("users", "--simulate: 'users' is not key=value"),
        ("db_cpu=250", "--simulate: db_cpu must be a number from 0 to 100"),
    ],
)
def test_bad_simulations_exit_2_with_a_clear_error(text: str, message: str) -> None:
    # refused before any database is looked for (in-process: no interpreter start per case)
    env = {
        "LIFEWORLD_ENV": "test",
        "LIFEWORLD_DATABASE_URL": f"postgresql://127.0.0.1:{free_port()}/x",
    }
    result = CliRunner().invoke(app, ["advise", "--simulate", text], env=env)
    assert result.exit_code == 2
    assert message in " ".join(result.stderr.split())
    assert isinstance(result.exception, SystemExit)
    assert result.stdout == ""


def test_an_unreachable_database_is_a_clear_error() -> None:
    result = advise(f"postgresql://postgres@127.0.0.1:{free_port()}/nothing")
    assert result.returncode == 1
    assert "error:" in result.stderr and "database" in result.stderr
    assert "Traceback" not in result.stderr
