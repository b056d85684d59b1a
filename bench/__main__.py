"""`python -m bench`: measure the whole app in one command and compare with an earlier run."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from bench.plan import make_plan
from bench.report import markdown, verdicts
from bench.results import compare, from_json, to_json

RESULTS = Path(__file__).resolve().parent / "results"
MODES = ("postgres", "hybrid")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Start the app in production mode (PostgreSQL, then hybrid with Redis), load "
        "a household, drive every scenario with wrk on 127.0.0.1 and print one table of req/s, "
        "p50, p99 and the ratio to the app's own no-op endpoint.",
    )
    parser.add_argument("--quick", action="store_true", help="every scenario briefly (< 3 min)")
    parser.add_argument("--seconds", type=int, help="length of each wrk run (default 10; quick 1)")
    parser.add_argument(
        "--modes",
        default=",".join(MODES),
        help="comma-separated cache modes to run: postgres, hybrid (default both)",
    )
    parser.add_argument("--compare", type=Path, metavar="FILE", help="an earlier run's JSON")
    parser.add_argument(
        "--profile",
        default="",
        metavar="SCENARIOS",
        help="comma-separated scenarios to record with py-spy at 16 connections "
        "(e.g. dashboard_cold,log_activity); the profile files go next to the results",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="LIFEWORLD_NAME=VALUE",
        help="a setting for every server of the run (repeatable), e.g. to compare pool sizes",
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="where results are written")
    args = parser.parse_args(argv)
    modes = tuple(m.strip() for m in args.modes.split(",") if m.strip())
    unknown = set(modes) - set(MODES)
    if unknown or not modes:
        parser.error(f"--modes takes postgres and/or hybrid, not {sorted(unknown) or 'nothing'}")
    args.modes = modes
    for item in args.set:
        name, equals, _ = item.partition("=")
        if not name.startswith("LIFEWORLD_") or not equals:
            parser.error(f"--set takes LIFEWORLD_NAME=VALUE, not {item!r}")
    if args.compare is not None and not args.compare.is_file():
        parser.error(f"--compare: no such file {args.compare}")
    if args.seconds is not None and not 1 <= args.seconds <= 300:
        parser.error("--seconds must be between 1 and 300")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from bench.runner import Run

    plan = make_plan(quick=args.quick, modes=args.modes, seconds=args.seconds)
    settings = tuple((name, value) for name, _, value in (s.partition("=") for s in args.set))
    plan = replace(plan, profile=tuple(p for p in args.profile.split(",") if p), settings=settings)
    args.out.mkdir(parents=True, exist_ok=True)
    report = Run(plan, args.out).execute()
    changes = None
    if args.compare is not None:
        changes = compare(from_json(args.compare.read_text()), report)
    text = markdown(report, changes, str(args.compare or ""))
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S") + ("-quick" if plan.quick else "")
    (args.out / f"{stamp}.json").write_text(to_json(report))
    (args.out / f"{stamp}.md").write_text(text)
    print()
    print(text)
    missed = sum(not v.met for v in verdicts(report))
    regressions = sum(c.regression for c in changes or [])
    print(f"Written {args.out / stamp}.md and .json; {missed} targets missed", end="")
    print(f", {regressions} regressions over 10 %." if changes is not None else ".")
    return 0


if __name__ == "__main__":
    sys.exit(main())
