"""HTTPS beside HTTP: the same keep-alive requests to the plain server of the run and to one
serving TLS with its home CA (the listener a household gets, `lifeworld serve` by default).

Runs alternate, plain first and last (plain, TLS, plain, TLS, plain): the machine's drift falls
on both, and the ratio divides the mean TLS rate by the mean plain one. wrk keeps its
connections open, so the handshakes are a handful per run and the ratio is the cost of
encrypting and decrypting the requests themselves. Both sides send one static request
(`run_wrk_static`: wrk's Lua script breaks its own TLS writes); the cached dashboard is one
member's.
"""

from __future__ import annotations

import statistics

from bench.results import Row
from bench.scenarios import Bench, bearer
from bench.wrk import Load, Req, run_wrk_static

TARGET = 0.85  # TLS may cost at most 15 % on keep-alive requests (issue 18)


def https_rows(plain: Bench, tls: Bench) -> list[Row]:
    """The no-op and the cached dashboard over HTTP and HTTPS, at each connection count."""
    member = plain.world.members[0]
    cases = [
        ("noop", "no-op (GET /api/v1/ping)", Req("GET", "/api/v1/ping")),
        ("dashboard_warm", "dashboard state (warm)",
         Req("GET", "/api/v1/me/state", headers=bearer(member.token))),
    ]  # fmt: skip
    rows: list[Row] = []
    for scenario, label, req in cases:
        plain.check(req, 200)
        tls.check(req, 200)
        for conns in plain.plan.connections:
            rows.append(_compare(plain, tls, scenario, label, req, conns))
    return rows


def _run(bench: Bench, req: Req, conns: int, seconds: int | None = None) -> Load:
    bench.server.settle()
    seconds = seconds or bench.plan.seconds
    return run_wrk_static(bench.server.base, req, seconds=seconds, connections=conns)


def _compare(plain: Bench, tls: Bench, scenario: str, label: str, req: Req, conns: int) -> Row:
    plan = plain.plan
    if plan.warmup_seconds:
        for bench in (plain, tls):
            _run(bench, req, conns, plan.warmup_seconds)
    rounds = 1 if plan.quick else 2
    over_http, over_tls = [_run(plain, req, conns)], []
    for _ in range(rounds):
        over_tls.append(_run(tls, req, conns))
        over_http.append(_run(plain, req, conns))
    http_rps = statistics.mean(load.rps for load in over_http)
    https_rps = statistics.mean(load.rps for load in over_tls)
    errors = sum(load.errors for load in over_http + over_tls)
    ratio = https_rps / http_rps if http_rps else None
    note = (
        f"HTTP {http_rps:,.0f}/s (mean of {len(over_http)}), HTTPS {https_rps:,.0f}/s "
        f"(mean of {len(over_tls)}): TLS costs {100 * (1 - ratio):.1f} %"
        if ratio
        else ""
    )
    if errors:
        note = f"{errors} failed requests; {note}"
    return Row(
        key=f"{plain.name}/{scenario}_https/c{conns}",
        label=f"{label} over HTTPS",
        server=plain.name,
        connections=conns,
        rps=https_rps,
        p50_ms=statistics.median(load.p50_ms for load in over_tls),
        p99_ms=statistics.median(load.p99_ms for load in over_tls),
        requests=sum(load.requests for load in over_tls),
        errors=errors,
        ratio=ratio,
        base_rps=http_rps,
        note=note,
        valid=errors == 0,
    )
