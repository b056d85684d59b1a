"""The results of one bench run as data: rows, JSON in and out, and the comparison of two runs.

Pure functions only (no I/O beyond strings), so they are unit tested.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any

REGRESSION = 0.10  # a change for the worse beyond this fraction is flagged


@dataclass
class Row:
    """One measured line of the table.

    `metric` names the field runs are compared on (`ratio` to the no-op when there is one,
    since absolute figures of two runs on a shared machine are not comparable) and whether
    more of it is better.
    """

    key: str  # stable across runs: "<server>/<scenario>[/c<connections>]"
    label: str
    server: str
    connections: int | None = None
    rps: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    requests: int = 0
    errors: int = 0
    ratio: float | None = None  # req/s over the same server's no-op at the same connections
    base_rps: float | None = None  # that no-op's req/s (measured just before, in a full run)
    app_cpu: float | None = None  # cores the app process used during the run (1.0 = one core)
    db_cpu: float | None = None  # cores PostgreSQL used (embedded server only)
    value: float | None = None  # what is not a rate: MiB, seconds, a cost relative to a base
    unit: str = ""
    note: str = ""
    valid: bool = True
    metric: str = "ratio"
    higher_better: bool = True

    @property
    def tail(self) -> float | None:
        """p99 over p50."""
        if self.p50_ms and self.p99_ms is not None:
            return self.p99_ms / self.p50_ms
        return None

    def score(self) -> float | None:
        value = getattr(self, self.metric)
        return float(value) if value is not None else None


@dataclass
class Report:
    started_at: str
    machine: dict[str, Any]
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def row(self, key: str) -> Row | None:
        return next((r for r in self.rows if r.key == key), None)


def to_json(report: Report) -> str:
    return json.dumps(asdict(report), indent=2, ensure_ascii=False) + "\n"


def from_json(text: str) -> Report:
    """A report written by `to_json` (fields unknown to this version are ignored)."""
    doc = json.loads(text)
    known = {f.name for f in fields(Row)}
    rows = [Row(**{k: v for k, v in r.items() if k in known}) for r in doc.get("rows", [])]
    return Report(
        started_at=str(doc.get("started_at", "")),
        machine=dict(doc.get("machine", {})),
        rows=rows,
        notes=list(doc.get("notes", [])),
    )


@dataclass(frozen=True)
class Change:
    key: str
    label: str
    metric: str
    before: float
    after: float
    worse_by: float  # fraction: 0.15 = 15 % worse; negative when better
    regression: bool


def compare(before: Report, after: Report, threshold: float = REGRESSION) -> list[Change]:
    """Every row measured validly in both runs, on its metric; worse beyond `threshold` flags."""
    changes: list[Change] = []
    for row in after.rows:
        old = before.row(row.key)
        if old is None or not (old.valid and row.valid) or old.metric != row.metric:
            continue
        was, now = old.score(), row.score()
        if was is None or now is None or was == 0:
            continue
        worse = (was - now) / was if row.higher_better else (now - was) / was
        changes.append(
            Change(row.key, row.label, row.metric, was, now, worse, regression=worse > threshold)
        )
    return changes
