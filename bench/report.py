"""The targets of issue 9 checked against a run, and the run as one Markdown table."""

from __future__ import annotations

from dataclasses import dataclass

from bench.results import Change, Report, Row

# Ratios to the no-op endpoint, at 16 connections (issues 4, 5, 6 and 9).
RATIO_TARGETS = {
    "dashboard_warm": 0.50,
    "dashboard_cold": 0.25,
    "log_activity": 0.12,
    "place_memory": 0.70,
    "place_postgres": 0.35,
    "place_redis": 0.35,
}
TAIL_LIMIT = 4.0  # p99 ≤ 4 × p50 at 16 connections
ROLLOVER_LIMIT = 5.0  # the first request after 365 days away ≤ 5 × after 1 day
GROWTH_LIMIT = 1.2  # with 100,000 activities ≤ 1.2 × with 100
TARGET_CONNECTIONS = 16
HTTPS_TARGET = 0.85  # over HTTPS ≥ 0.85 × the same over HTTP: TLS costs ≤ 15 % (issue 18)
FLOOD_P99_MS = 50.0  # ping p99 while 16 connections send wrong passwords (issue 20)


@dataclass(frozen=True)
class Verdict:
    target: str
    measured: str
    met: bool


def scenario_of(row: Row) -> str:
    return row.key.split("/")[1] if "/" in row.key else row.key


def verdicts(report: Report) -> list[Verdict]:
    """Every target that applies to a row of the run, met or not (an invalid row is not met)."""
    out: list[Verdict] = []
    for row in report.rows:
        scenario, where = scenario_of(row), f"{row.server}"
        at16 = row.connections == TARGET_CONNECTIONS and row.rps is not None
        if at16 and scenario in RATIO_TARGETS:
            goal = RATIO_TARGETS[scenario]
            ok = row.valid and row.ratio is not None and row.ratio >= goal
            out.append(Verdict(f"{row.label} ≥ {goal:g}× no-op ({where}, 16 conn)",
                               _ratio(row), ok))  # fmt: skip
        if scenario.endswith("_https") and row.rps is not None:
            ok = row.valid and row.ratio is not None and row.ratio >= HTTPS_TARGET
            out.append(Verdict(f"{row.label} ≥ {HTTPS_TARGET:g}× over HTTP ({where}, "
                               f"{row.connections} conn)", _ratio(row), ok))  # fmt: skip
            continue
        if at16 and row.tail is not None and row.ratio is not None:  # HTTP runs only
            ok = row.valid and row.tail <= TAIL_LIMIT
            out.append(Verdict(f"{row.label}: p99 ≤ 4× p50 ({where}, 16 conn)",
                               f"{row.tail:.1f}×", ok))  # fmt: skip
        if scenario == "ping_sign_in_flood":
            ok = row.valid and row.p99_ms is not None and row.p99_ms < FLOOD_P99_MS
            out.append(Verdict(f"{row.label}: ping p99 < {FLOOD_P99_MS:g} ms ({where}, "
                               f"{row.connections} conn)", _p99(row), ok))  # fmt: skip
        if scenario == "rollover_365d":
            ok = row.valid and row.value is not None and row.value <= ROLLOVER_LIMIT
            out.append(Verdict("rollover after 365 days ≤ 5× after 1 day (p50)", _value(row), ok))
        if scenario.startswith("growth_") and scenario.endswith("_100000"):
            ok = row.valid and row.value is not None and row.value <= GROWTH_LIMIT
            out.append(Verdict(f"{row.label} ≤ 1.2× with 100 (p50)", _value(row), ok))
    return out


def _ratio(row: Row) -> str:
    if not row.valid:
        return f"invalid ({row.note})"
    return f"{row.ratio:.2f}×" if row.ratio is not None else "—"


def _p99(row: Row) -> str:
    if not row.valid:
        return f"invalid ({row.note})"
    return f"{row.p99_ms:.1f} ms" if row.p99_ms is not None else "—"


def _value(row: Row) -> str:
    if not row.valid:
        return f"invalid ({row.note})"
    return f"{row.value:.2f}{row.unit}" if row.value is not None else "—"


def _num(value: float | None, digits: int) -> str:
    if value is None:
        return "—"
    return f"{value:,.{digits}f}"


def table(rows: list[Row]) -> list[str]:
    """The rows as a Markdown table."""
    head = "| scenario | server | conn | req/s | p50 ms | p99 ms | p99/p50 | × no-op | other |"
    lines = [head + " errors |", "|---|---|--:|--:|--:|--:|--:|--:|---|--:|"]
    for r in rows:
        parts = [f"{r.value:,.2f}{r.unit}" if r.value is not None else ""]
        if r.app_cpu is not None:
            parts.append(f"CPU app {r.app_cpu:.0%}" + (f", db {r.db_cpu:.0%}" if r.db_cpu else ""))
        parts.append(r.note)
        other = " · ".join(p for p in parts if p)
        if not r.valid:
            other = f"**INVALID** {other}"
        lines.append(
            f"| {r.label} | {r.server} | {r.connections or '—'} | {_num(r.rps, 0)} "
            f"| {_num(r.p50_ms, 2)} | {_num(r.p99_ms, 2)} | {_num(r.tail, 1)} "
            f"| {_num(r.ratio, 2)} | {other} | {r.errors if r.requests else '—'} |"
        )
    return lines


def markdown(report: Report, changes: list[Change] | None = None, against: str = "") -> str:
    """The whole run: machine, table, targets, notes and the comparison when there is one."""
    m = report.machine
    out = [f"# Life World OS bench, {report.started_at}", ""]
    out.append(
        f"{m.get('cpu', '?')}, {m.get('nproc', '?')} CPUs; load average {m.get('load_before', '?')}"
        f" before, {m.get('load_after', '?')} after; PostgreSQL {m.get('postgres', '?')}; "
        f"{m.get('run', '')}"
    )
    out += [
        "",
        *table(report.rows),
        "",
        "## Targets",
        "",
        "| target | measured | |",
        "|---|--:|---|",
    ]
    for v in verdicts(report):
        out.append(f"| {v.target} | {v.measured} | {'met' if v.met else '**MISSED**'} |")
    if report.notes:
        out += ["", "## Notes", "", *[f"- {n}" for n in report.notes]]
    if changes is not None:
        out += ["", f"## Compared with {against}", ""]
        out += ["| row | metric | before | after | worse by | |", "|---|---|--:|--:|--:|---|"]
        for c in changes:
            flag = "**REGRESSION**" if c.regression else ""
            out.append(
                f"| {c.label} ({c.key}) | {c.metric} | {c.before:,.3g} | {c.after:,.3g} "
                f"| {c.worse_by:+.0%} | {flag} |"
            )
    return "\n".join(out) + "\n"
