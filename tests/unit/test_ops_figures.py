"""The five figures from minute rows (pure): histograms, merging instances, rolling windows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lifeworld.ops import figures
from lifeworld.ops.figures import MinuteRow, totals_by_minute
from lifeworld.ops.window import BOUNDS_MS, BUCKETS, Latency

T = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T + timedelta(minutes=minutes)


def latency(*ms: float) -> Latency:
    result = Latency()
    for value in ms:
        result.observe(value / 1000)
    return result


# --- histograms ---------------------------------------------------------------------------


def test_buckets_put_a_bound_in_its_own_bucket() -> None:
    assert len(BOUNDS_MS) + 1 == BUCKETS
    h = latency(1.0, 5.0, 5.0001, 1000.0, 9000.0)
    assert h.buckets[BOUNDS_MS.index(1)] == 1
    assert h.buckets[BOUNDS_MS.index(5)] == 1
    assert h.buckets[BOUNDS_MS.index(10)] == 1  # just over 5 ms
    assert h.buckets[BOUNDS_MS.index(1000)] == 1
    assert h.buckets[-1] == 1  # above 5 s
    assert h.count == 5


def test_mean_and_quantiles() -> None:
    assert Latency().mean_ms is None
    assert Latency().quantile_ms(0.95) is None
    # 20 calls: 19 of 0.2 ms and one of 40 ms
    h = latency(*([0.2] * 19), 40.0)
    assert h.mean_ms == pytest.approx((19 * 0.2 + 40) / 20)
    # p95 is the 19th value: inside the (0.1, 0.25] bucket holding all 19 → its upper bound
    assert h.quantile_ms(0.95) == pytest.approx(0.25)
    # p99 falls in the (25, 50] bucket, interpolated: 25 + 25 * (19.8 - 19) / 1
    assert h.quantile_ms(0.99) == pytest.approx(45.0)
    # beyond the last bound, the largest value seen
    assert latency(7000.0).quantile_ms(0.5) == pytest.approx(7000.0)


def test_histograms_merge_by_adding_buckets() -> None:
    a, b = latency(0.3, 2.0), latency(2.0, 700.0)
    merged = Latency.merged([a, b])
    assert merged.count == 4
    assert merged.seconds == pytest.approx(a.seconds + b.seconds)
    assert merged.max_seconds == pytest.approx(0.7)
    assert merged.buckets == [x + y for x, y in zip(a.buckets, b.buckets, strict=True)]


def test_a_stored_histogram_of_another_length_is_padded() -> None:
    restored = Latency.restore(3, 0.01, 0.005, [1, 2])
    assert restored.buckets == [1, 2] + [0] * (BUCKETS - 2)
    assert Latency.restore(0, 0, 0, None).buckets == [0] * BUCKETS


# --- merging instances --------------------------------------------------------------------


def test_rows_of_one_minute_from_two_instances_add_up() -> None:
    rows = [
        MinuteRow(at(0), "a", requests=10, db=latency(1, 1), lookups=20, hits=15,
                  place_lookups=12, db_cpu_pct=30.0, db_cpu_source="psutil",
                  user_ids=frozenset({1, 2})),
        MinuteRow(at(0), "b", requests=5, db=latency(3), lookups=10, hits=5, place_lookups=10,
                  db_cpu_pct=35.5, db_cpu_source="psutil b", user_ids=frozenset({2, 3})),
        MinuteRow(at(1), "a", requests=1),
    ]  # fmt: skip
    totals = totals_by_minute(rows)
    first = totals[at(0)]
    assert (first.requests, first.lookups, first.hits, first.place_lookups) == (15, 30, 20, 22)
    assert first.db.count == 3
    assert first.user_ids == {1, 2, 3}  # a player on both instances counts once
    # both instances measure the same server: the larger reading, not the sum
    assert (first.db_cpu_pct, first.db_cpu_source) == (35.5, "psutil b")
    assert first.instances == 2
    assert totals[at(1)].instances == 1


def test_an_unknown_cpu_keeps_its_reason_unless_another_instance_measured_it() -> None:
    unknown = MinuteRow(at(0), "a", db_cpu_source="unknown: elsewhere")
    measured = MinuteRow(at(0), "b", db_cpu_pct=12.0, db_cpu_source="psutil")
    assert totals_by_minute([unknown])[at(0)].db_cpu_source == "unknown: elsewhere"
    both = totals_by_minute([measured, unknown])[at(0)]
    assert (both.db_cpu_pct, both.db_cpu_source) == (12.0, "psutil")


# --- rolling windows ----------------------------------------------------------------------


def test_concurrent_users_are_distinct_players_of_the_last_five_minutes() -> None:
    rows = [
        MinuteRow(at(0), "a", user_ids=frozenset({1})),
        MinuteRow(at(2), "a", user_ids=frozenset({2, 1})),
        MinuteRow(at(4), "b", user_ids=frozenset({3})),
    ]
    series = figures.series(totals_by_minute(rows), end=at(9), minutes=10)
    assert [m.minute for m in series] == [at(i) for i in range(10)]
    # minute m counts minutes m-4 .. m
    assert [m.concurrent_users for m in series] == [1, 1, 2, 2, 3, 3, 3, 1, 1, 0]


def test_queries_per_day_is_a_rolling_24_hours() -> None:
    day = 24 * 60
    rows = [
        MinuteRow(at(0), "a", lookups=600, hits=500),
        MinuteRow(at(10), "b", lookups=500, hits=100),
        MinuteRow(at(day + 5), "a", lookups=7, hits=7),
    ]
    totals = totals_by_minute(rows)
    series = figures.series(totals, end=at(day + 11), minutes=day + 12)
    per_minute = {m.minute: m.queries_per_day for m in series}
    assert per_minute[at(0)] == 600
    assert per_minute[at(10)] == 1100
    assert per_minute[at(day - 1)] == 1100
    assert per_minute[at(day)] == 500  # the first minute left the window
    assert per_minute[at(day + 5)] == 507
    assert per_minute[at(day + 10)] == 7
    assert figures.current(totals, end=at(day + 11)).queries_per_day == 7


def test_the_hit_rate_needs_enough_lookups_in_the_hour() -> None:
    few = [MinuteRow(at(0), "a", lookups=figures.MIN_LOOKUPS_FOR_HIT_RATE - 1, hits=0)]
    assert figures.series(totals_by_minute(few), end=at(0), minutes=1)[0].cache_hit_rate_pct is None
    rows = [
        MinuteRow(at(0), "a", lookups=40, hits=10),
        MinuteRow(at(30), "b", lookups=60, hits=50),
    ]
    series = figures.series(totals_by_minute(rows), end=at(70), minutes=71)
    rate = {m.minute: m.cache_hit_rate_pct for m in series}
    assert rate[at(0)] is None  # 40 lookups: too few to judge
    assert rate[at(30)] == pytest.approx(60.0)  # 60 of 100
    assert rate[at(59)] == pytest.approx(60.0)
    assert rate[at(60)] == pytest.approx(50 / 60 * 100)  # the first row left the hour
    assert rate[at(70)] == pytest.approx(50 / 60 * 100)


def test_minute_latency_p99_and_pool_wait_need_samples() -> None:
    slow_reads = latency(*([0.2] * 30), 9.0, 9.0)  # 32 reads, two slow ones: p99 in (5, 10]
    rows = [
        MinuteRow(at(0), "a", cache_reads=latency(9.0), pool=latency(30.0)),
        MinuteRow(at(1), "a", cache_reads=slow_reads, pool=latency(*([2.0] * 25))),
    ]
    first, second = figures.series(totals_by_minute(rows), end=at(1), minutes=2)
    assert first.cache_read_p99_ms is None  # one read
    assert first.pool_wait_ms is None  # one checkout (a new connection)
    assert second.cache_read_p99_ms is not None and 5 < second.cache_read_p99_ms <= 10
    assert second.pool_wait_ms == pytest.approx(2.0)


def test_query_latency_counts_database_and_shared_cache_calls() -> None:
    rows = [MinuteRow(at(0), "a", db=latency(1.0, 3.0), cache=latency(0.5, 0.5))]
    minute = figures.series(totals_by_minute(rows), end=at(0), minutes=1)[0]
    assert minute.latency_mean_ms == pytest.approx(1.25)
    now = figures.current(totals_by_minute(rows), end=at(14))
    assert now.latency_calls == 4
    assert now.latency_mean_ms == pytest.approx(1.25)
    assert figures.current(totals_by_minute(rows), end=at(15)).latency_calls == 0  # 15 min on


def test_the_share_of_database_time_spent_on_cache_statements() -> None:
    rows = [MinuteRow(at(0), "a", db=latency(30.0), cache_postgres_seconds=0.010)]
    minute = figures.series(totals_by_minute(rows), end=at(0), minutes=1)[0]
    assert minute.cache_db_share_pct == pytest.approx(25.0)


def test_figures_now_with_no_rows_at_all() -> None:
    now = figures.current({}, end=at(0))
    assert now.latency_mean_ms is None
    assert now.cache_hit_rate_pct is None
    assert (now.db_cpu_pct, now.db_cpu_source) == (None, figures.NOT_RECORDED)
    assert (now.concurrent_users, now.queries_per_day, now.instances) == (0, 0, 0)


def test_chart_points_step_through_the_span() -> None:
    rows = [
        MinuteRow(at(0), "a", lookups=10, hits=5, db=latency(2.0), db_cpu_pct=10.0,
                  user_ids=frozenset({1})),
        MinuteRow(at(20), "a", lookups=10, hits=10, db_cpu_pct=30.0, user_ids=frozenset({2})),
    ]  # fmt: skip
    points = figures.chart_points(totals_by_minute(rows), end=at(59), minutes=60, step=15)
    assert [p.start for p in points] == [at(0), at(15), at(30), at(45)]
    assert [p.cache_hit_rate_pct for p in points] == [50.0, 100.0, None, None]
    assert [p.db_cpu_pct for p in points] == [10.0, 30.0, None, None]
    assert [p.concurrent_users for p in points] == [1, 1, 0, 0]
    assert [p.queries_per_day for p in points] == [10, 20, 20, 20]
    assert points[0].latency_mean_ms == pytest.approx(2.0)
    assert points[1].latency_mean_ms is None
