"""The bench's pure helpers: wrk's output, profiles, the noon timezone and simulated histories."""

from __future__ import annotations

import os
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from bench import inprocess
from bench.history import play, stretch
from bench.profile import cumulative, summarise
from bench.scenarios import SignedIn
from bench.world import noon_timezone
from bench.wrk import Req, parse_static, parse_wrk

from lifeworld.game.capacity import energy_cap
from lifeworld.game.state import ActivityType

WRK_OUTPUT = """Running 1s test @ http://127.0.0.1:5000/api/v1/ping
  2 threads and 16 connections
BENCH_JSON {"requests": 6000, "duration_us": 2000000, "connect": 0, "read": 1, "write": 0, \
"status": 2, "timeout": 0, "p50_us": 1250, "p99_us": 4100, "max_us": 9000, "beyond_list": 3}
"""


def test_wrk_result_is_read_from_the_scripts_json_line() -> None:
    load = parse_wrk(WRK_OUTPUT, 16)
    assert load.rps == 3000.0
    assert (load.p50_ms, load.p99_ms, load.max_ms) == (1.25, 4.1, 9.0)
    assert load.errors == 3 and load.beyond_list == 3 and load.connections == 16
    with pytest.raises(RuntimeError, match="no result"):
        parse_wrk("wrk: connection refused", 16)


def test_request_lines_are_tab_separated_and_refuse_tabs_inside() -> None:
    req = Req("POST", "/api/v1/me/activities", '{"type":"REST"}', (("Authorization", "Bearer x"),))
    assert req.line() == 'POST\t/api/v1/me/activities\t{"type":"REST"}\tAuthorization: Bearer x'
    assert Req("GET", "/").line() == "GET\t/\t"
    with pytest.raises(ValueError):
        Req("GET", "/", headers=(("X", "a\tb"),)).line()


def test_profile_summary_counts_self_and_total_time() -> None:
    collapsed = "\n".join(
        ["main;serve;handler;query 60", "main;serve;handler 20", "main;serve;json 20", "junk"]
    )
    frames = {f.name: f for f in summarise(collapsed)}
    assert frames["query"].self_pct == 60 and frames["query"].total_pct == 60
    assert frames["handler"].self_pct == 20 and frames["handler"].total_pct == 80
    assert frames["json"].self_pct == 20
    assert "main" not in frames  # never a leaf
    assert cumulative(collapsed, "handler") == 80
    assert summarise("") == []


@pytest.mark.parametrize("hour", range(24))
def test_the_bench_timezone_puts_now_near_noon(hour: int) -> None:
    now = datetime(2026, 11, 25, hour, 30, tzinfo=UTC)
    local = now.astimezone(ZoneInfo(noon_timezone(now)))
    assert 11 <= local.hour <= 12


def test_a_played_history_follows_the_rules_day_by_day() -> None:
    start, end = date(2026, 1, 1), date(2026, 3, 1)
    played = play(start=start, end=end, tz="Europe/Paris", seed=3)
    assert played.rows, "two months of play log something"
    spent: dict[date, int] = defaultdict(int)
    for row in played.rows:
        kind, day, energy = ActivityType(row[0]), row[3], row[4]
        assert start <= day < end
        assert row[2].astimezone(ZoneInfo("Europe/Paris")).date() == day
        spent[day] += energy
        if kind is ActivityType.REST:
            assert row[5] == 0  # REST gives no XP
    assert max(spent.values()) <= energy_cap(100, False)
    state = played.state
    assert state.last_rolled_day == end and state.energy == 100 and state.energy_spent_today == 0
    assert state.xp.overall >= sum(row[5] for row in played.rows)
    assert [r[2] for r in played.rows] == sorted(r[2] for r in played.rows)


def test_stretch_repeats_a_history_further_back_in_time() -> None:
    rows = play(start=date(2026, 1, 1), end=date(2026, 1, 21), tz="UTC", seed=1).rows
    longer = stretch(rows, len(rows) * 3 + 1, 20)
    assert len(longer) == len(rows) * 3 + 1
    assert longer[-len(rows) :] == rows  # the newest part is the history itself
    assert [r[3] for r in longer] == sorted(r[3] for r in longer)
    assert longer[0][3] == rows[-1][3] - timedelta(days=60)
    assert stretch(rows, 2, 20) == rows[-2:]
    assert stretch([], 5, 20) == []


def test_the_oldest_sign_in_a_run_used_follows_the_order_they_were_cached() -> None:
    # 1,000 sign-ins cached from t=100 to t=140 s.
    in_order = SignedIn(100.0, 140.0, 1_000, reverse=False)
    assert in_order.oldest_used(1) == 100.0  # the first request used the first one cached
    backwards = SignedIn(100.0, 140.0, 1_000, reverse=True)
    assert backwards.oldest_used(1) == 140.0  # ... here the last one cached
    assert backwards.oldest_used(501) == pytest.approx(120.0)  # half-way back
    assert backwards.oldest_used(1_000) == pytest.approx(100.04)
    assert backwards.oldest_used(1_001) == 100.0  # the list ran out: every one was used


def test_postgres_cpu_counts_what_each_process_used_and_never_goes_negative() -> None:
    tick = 1 / os.sysconf("SC_CLK_TCK")
    before = {10: 500, 11: 40, 12: 7}  # 12 ends meanwhile (an autovacuum worker, say)
    after = {10: 530, 11: 41, 13: 5}  # 13 started meanwhile
    used = inprocess.postgres_cpu_s_between(before, after)
    assert used == pytest.approx((30 + 1 + 5) * tick)
    assert inprocess.postgres_cpu_s_between({10: 900}, {}) == 0


WRK_STATIC = """Running 3s test @ https://127.0.0.1:5173/api/v1/ping
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.90ms    1.51ms  24.95ms   94.76%
    Req/Sec     4.65k     1.19k    9.38k    86.89%
  Latency Distribution
     50%    1.53ms
     75%    2.10ms
     90%    3.01ms
     99%  740.00us
  28209 requests in 3.10s, 12.13MB read
  Socket errors: connect 0, read 1, write 2, timeout 3
  Non-2xx or 3xx responses: 4
Requests/sec:   9100.81
"""


def test_parse_static_reads_wrks_own_summary() -> None:
    load = parse_static(WRK_STATIC, 16)
    assert (load.requests, load.seconds) == (28209, 3.1)
    assert (load.p50_ms, load.p99_ms, load.max_ms) == (1.53, 0.74, 24.95)
    assert load.errors == 10
