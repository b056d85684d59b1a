"""`python -m bench.inprocess` measures for real, on a database of its own (a small run)."""

from __future__ import annotations

import pytest
from bench import inprocess


def test_a_small_run_measures_every_route(
    pg_server_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LIFEWORLD_BENCH_DATABASE_URL", pg_server_url)
    assert inprocess.main(["--rounds", "2", "--per-round", "10"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[0] == "route"
    measured = {line.split()[0]: [float(x) for x in line.split()[1:5]] for line in lines[1:]}
    assert set(measured) == set(inprocess.TARGETS)
    for noop_us, route_us, ratio, postgres_us in measured.values():
        assert noop_us > 0 and route_us > 0
        # The tests' PostgreSQL runs on this machine, so a figure ("-" otherwise); a small run
        # can round to 0 (the kernel counts CPU in 10 ms ticks), and a cached read is 0.
        assert postgres_us >= 0
        # printed as whole µs and a ratio to 3 decimals: the ratio lies within what those
        # roundings allow, and no further
        lowest = (noop_us - 0.5) / (route_us + 0.5) - 0.0005
        highest = (noop_us + 0.5) / (route_us - 0.5) + 0.0005
        assert lowest <= ratio <= highest, (noop_us, route_us, ratio)


def test_unknown_routes_and_sizes_are_refused() -> None:
    for argv in (["dashboard"], ["--rounds", "0"], ["--per-round", "5"]):
        with pytest.raises(SystemExit) as refused:
            inprocess.main(argv)
        assert refused.value.code == 2
