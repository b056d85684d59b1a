"""`python -m bench`: the command answers --help and refuses bad options (nothing is measured)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from bench.__main__ import parse_args

ROOT = Path(__file__).resolve().parents[2]


def test_help_runs_as_a_module() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    for option in ("--quick", "--compare", "--modes", "--seconds", "--profile"):
        assert option in done.stdout


def test_options_are_read_and_checked(tmp_path: Path) -> None:
    earlier = tmp_path / "earlier.json"
    earlier.write_text("{}")
    args = parse_args(["--quick", "--modes", "hybrid", "--compare", str(earlier)])
    assert args.quick and args.modes == ("hybrid",) and args.compare == earlier
    assert parse_args([]).modes == ("postgres", "hybrid")
    assert parse_args(["--set", "LIFEWORLD_DB_POOL_SIZE=10"]).set == ["LIFEWORLD_DB_POOL_SIZE=10"]
    for bad in (
        ["--modes", "memory"],
        ["--modes", ","],
        ["--compare", str(tmp_path / "missing.json")],
        ["--seconds", "0"],
        ["--set", "DB_POOL_SIZE=10"],
        ["--set", "LIFEWORLD_DB_POOL_SIZE"],
    ):
        with pytest.raises(SystemExit) as exc:
            parse_args(bad)
        assert exc.value.code == 2
