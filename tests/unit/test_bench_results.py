"""The bench's results: JSON round trip, comparison of two runs, targets and the Markdown table."""

from __future__ import annotations

import json
from typing import Any

from bench.report import markdown, table, verdicts
from bench.results import Report, Row, compare, from_json, to_json


def _row(key: str, **fields: Any) -> Row:
    scenario = key.split("/")[1] if "/" in key else key
    return Row(key=key, label=scenario.replace("_", " "), server=key.split("/")[0], **fields)


def _report(*rows: Row) -> Report:
    return Report(started_at="2026-11-25T20:00:00+00:00", machine={"nproc": 2}, rows=list(rows))


def test_json_round_trip_keeps_every_field_and_ignores_unknown_ones() -> None:
    report = _report(
        _row("postgres/noop/c16", connections=16, rps=6000.0, p50_ms=1.2, p99_ms=2.5,
             requests=60_000, ratio=1.0, metric="rps"),
        _row("postgres/rss_idle", value=115.5, unit=" MiB", metric="value", higher_better=False),
    )  # fmt: skip
    report.notes.append("seeded")
    assert from_json(to_json(report)) == report
    doc = json.loads(to_json(report))
    doc["rows"][0]["added_by_a_later_version"] = 1
    doc["surprise"] = True
    assert from_json(json.dumps(doc)) == report


def test_compare_flags_only_changes_for_the_worse_beyond_ten_percent() -> None:
    before = _report(
        _row("postgres/dashboard_warm/c16", ratio=0.60),
        _row("postgres/log_activity/c16", ratio=0.10),
        _row("postgres/rss_idle", value=100.0, metric="value", higher_better=False),
        _row("postgres/rollover_365d", value=1.0, metric="value", higher_better=False),
        _row("postgres/gone/c16", ratio=0.5),
    )
    after = _report(
        _row("postgres/dashboard_warm/c16", ratio=0.50),  # 16.7 % worse: flagged
        _row("postgres/log_activity/c16", ratio=0.095),  # 5 % worse: not flagged
        _row("postgres/rss_idle", value=120.0, metric="value", higher_better=False),  # +20 %
        _row("postgres/rollover_365d", value=0.5, metric="value", higher_better=False),  # better
        _row("postgres/new/c16", ratio=0.5),  # not in the earlier run
    )
    changes = {c.key: c for c in compare(before, after)}
    assert set(changes) == {
        "postgres/dashboard_warm/c16",
        "postgres/log_activity/c16",
        "postgres/rss_idle",
        "postgres/rollover_365d",
    }
    assert changes["postgres/dashboard_warm/c16"].regression
    assert round(changes["postgres/dashboard_warm/c16"].worse_by, 3) == 0.167
    assert not changes["postgres/log_activity/c16"].regression
    assert changes["postgres/rss_idle"].regression
    assert not changes["postgres/rollover_365d"].regression
    assert changes["postgres/rollover_365d"].worse_by == -0.5


def test_compare_skips_invalid_rows_and_rows_measured_on_another_metric() -> None:
    before = _report(
        _row("a/x/c16", ratio=0.9), _row("a/y/c16", ratio=0.9), _row("a/z", p50_ms=1.0)
    )
    after = _report(
        _row("a/x/c16", ratio=0.1, valid=False),
        _row("a/y/c16", rps=10.0, metric="rps"),
        _row("a/z", p50_ms=None),
    )
    assert compare(before, after) == []


def test_targets_use_the_ratio_at_sixteen_connections_and_refuse_invalid_rows() -> None:
    report = _report(
        _row("postgres/dashboard_warm/c16", connections=16, rps=3000.0, p50_ms=5.0,
             p99_ms=21.0, ratio=0.55),
        _row("postgres/dashboard_warm/c64", connections=64, rps=3000.0, ratio=0.1),
        _row("postgres/log_activity/c16", connections=16, rps=900.0, p50_ms=10.0,
             p99_ms=20.0, ratio=0.15, valid=False, note="3 failed requests"),
        _row("postgres/rollover_365d", value=5.5, unit="× 1 day"),
        _row("postgres/growth_log_100000", value=1.1, unit="× 100"),
    )  # fmt: skip
    found = {v.target: v for v in verdicts(report)}
    warm = found["dashboard warm ≥ 0.5× no-op (postgres, 16 conn)"]
    assert warm.met and warm.measured == "0.55×"
    assert not found["dashboard warm: p99 ≤ 4× p50 (postgres, 16 conn)"].met  # 4.2×
    log = found["log activity ≥ 0.12× no-op (postgres, 16 conn)"]
    assert not log.met and "3 failed requests" in log.measured
    assert not found["rollover after 365 days ≤ 5× after 1 day (p50)"].met
    assert found["growth log 100000 ≤ 1.2× with 100 (p50)"].met
    assert not any("c64" in v.target or "64 conn" in v.target for v in found.values())


def test_markdown_shows_every_row_the_targets_and_the_comparison() -> None:
    before = _report(_row("postgres/dashboard_warm/c16", connections=16, rps=1.0, ratio=0.8))
    after = _report(
        _row("postgres/dashboard_warm/c16", connections=16, rps=3000.0, p50_ms=5.0,
             p99_ms=10.0, ratio=0.5, requests=30_000, app_cpu=0.98, db_cpu=0.05),
        _row("postgres/rss_idle", value=115.25, unit=" MiB", note="after start-up"),
    )  # fmt: skip
    text = markdown(after, compare(before, after), "earlier.json")
    lines = text.splitlines()
    assert "| dashboard warm | postgres | 16 | 3,000 | 5.00 | 10.00 | 2.0 | 0.50 |" in text
    assert "CPU app 98%, db 5%" in text
    assert any(line.startswith("| rss idle | postgres | — | — |") and "115.25 MiB" in line
               for line in lines)  # fmt: skip
    assert "| dashboard warm ≥ 0.5× no-op (postgres, 16 conn) | 0.50× | met |" in text
    assert "## Compared with earlier.json" in text
    assert "| +38% | **REGRESSION** |" in text
    assert len(table(after.rows)) == 2 + len(after.rows)


def test_the_ping_under_a_sign_in_flood_must_stay_under_fifty_ms_at_p99() -> None:
    report = _report(
        _row("postgres/ping_sign_in_flood/c16", connections=16, p50_ms=2.0, p99_ms=41.0,
             metric="p99_ms", higher_better=False),
        _row("hybrid/ping_sign_in_flood/c16", connections=16, p50_ms=2.0, p99_ms=55.0,
             metric="p99_ms", higher_better=False),
        _row("other/ping_sign_in_flood/c16", connections=16, p50_ms=2.0, p99_ms=3.0,
             valid=False, note="12 pings failed"),
    )  # fmt: skip
    found = {v.target: v for v in verdicts(report)}
    label = "ping sign in flood: ping p99 < 50 ms"
    assert found[f"{label} (postgres, 16 conn)"].met
    assert found[f"{label} (postgres, 16 conn)"].measured == "41.0 ms"
    assert not found[f"{label} (hybrid, 16 conn)"].met
    refused = found[f"{label} (other, 16 conn)"]
    assert not refused.met and "12 pings failed" in refused.measured
    assert len(found) == 3  # no ratio or tail target: the row has no rate
