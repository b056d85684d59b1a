"""`lifeworld cache stats|clear|sweep` against the real database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import psycopg
from typer.testing import CliRunner

from lifeworld.cache.entry import Entry, encode
from lifeworld.cli.main import app
from lifeworld.db.urls import libpq_url


def _put(url: str, key: str, expires_at: datetime) -> None:
    frame = encode(Entry(b"v", expires_at.timestamp()))
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute(
            "INSERT INTO cache_entries (key, value, tags, expires_at) VALUES (%s, %s, '{}', %s)",
            (key, frame, expires_at),
        )


def test_stats_sweep_and_clear(cache_db_url: str) -> None:
    runner = CliRunner()
    env = {"LIFEWORLD_DATABASE_URL": cache_db_url, "LIFEWORLD_SECRET_KEY": "s" * 40,
           "LIFEWORLD_CACHE": "postgres"}  # fmt: skip
    now = datetime.now(UTC)
    _put(cache_db_url, "clitest:old", now - timedelta(minutes=1))
    _put(cache_db_url, "clitest:new", now + timedelta(hours=1))

    stats = runner.invoke(app, ["cache", "stats"], env=env)
    assert stats.exit_code == 0, stats.output
    assert "backend: postgres" in stats.output and "rows" in stats.output

    sweep = runner.invoke(app, ["cache", "sweep"], env=env)
    assert sweep.exit_code == 0, sweep.output
    assert "swept" in sweep.output
    with psycopg.connect(libpq_url(cache_db_url)) as conn:
        keys = {
            r[0] for r in conn.execute("SELECT key FROM cache_entries WHERE key LIKE 'clitest:%'")
        }
    assert keys == {"clitest:new"}

    clear = runner.invoke(app, ["cache", "clear", "--namespace", "clitest"], env=env)
    assert clear.exit_code == 0, clear.output
    assert "cleared 1 entries" in clear.output
    with psycopg.connect(libpq_url(cache_db_url)) as conn:
        left = conn.execute("SELECT count(*) FROM cache_entries WHERE key LIKE 'clitest:%'")
        assert left.fetchone() == (0,)
