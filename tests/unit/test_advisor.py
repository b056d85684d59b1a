"""The scale advisor as pure functions: tables of figures in, phase, triggers and advice out."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from lifeworld.ops import advisor, simulate
from lifeworld.ops.advisor import RULES, Action, Phase, advise, evaluate, phase_for
from lifeworld.ops.figures import MinuteFigures

T = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
RULE = {rule.name: rule for rule in RULES}
# A quiet household: every figure far from its threshold.
CALM: dict[str, Any] = {
    "latency_mean_ms": 2.0,
    "latency_p95_ms": 6.0,
    "cache_read_p99_ms": 0.4,
    "db_cpu_pct": 3.0,
    "concurrent_users": 2,
    "cache_hit_rate_pct": 92.0,
    "queries_per_day": 40,
    "pool_wait_ms": 0.05,
    "cache_db_share_pct": 12.0,
}


def minutes(values: list[dict[str, Any]]) -> list[MinuteFigures]:
    """One MinuteFigures per dict (the calm figures, overridden), a minute apart."""
    return [
        MinuteFigures(minute=T + timedelta(minutes=i), **{**CALM, **v})
        for i, v in enumerate(values)
    ]


def steady(count: int, **fields: Any) -> list[dict[str, Any]]:
    return [dict(fields) for _ in range(count)]


def fired(advice: advisor.Advice) -> set[str]:
    return {t.name for t in advice.fired}


# --- phases --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("users", "phase"),
    [
        (0, Phase.MVP),
        (1, Phase.MVP),
        (5, Phase.MVP),
        (6, Phase.MVP),  # 6–9: still a home installation
        (9, Phase.MVP),
        (10, Phase.PHASE_1),
        (50, Phase.PHASE_1),
        (51, Phase.PHASE_2),
        (200, Phase.PHASE_2),
        (201, Phase.SCALE),
        (10_000, Phase.SCALE),
    ],
)
def test_phase_by_users(users: int, phase: Phase) -> None:
    assert phase_for(users) is phase


@pytest.mark.parametrize(
    ("phase", "text"),
    [
        (Phase.MVP, "$0/month"),
        (Phase.PHASE_1, "$11–68/month"),
        (Phase.PHASE_2, "$18–80/month"),
        (Phase.SCALE, "$18–80/month"),
    ],
)
def test_costs_run_from_one_vm_to_the_managed_layout(phase: Phase, text: str) -> None:
    assert advisor.PHASE_INFO[phase].cost_text == text


def test_the_phase_follows_the_larger_of_accounts_and_concurrent_users() -> None:
    assert advise(minutes(steady(30)), accounts=3).phase.phase is Phase.MVP
    assert advise(minutes(steady(30)), accounts=30).phase.phase is Phase.PHASE_1
    busy = minutes(steady(30, concurrent_users=40))
    assert advise(busy, accounts=3).phase.phase is Phase.PHASE_1
    assert advise([], accounts=0).phase.phase is Phase.MVP


# --- the advice ------------------------------------------------------------------------------


def test_a_quiet_household_needs_nothing() -> None:
    advice = advise(minutes(steady(120)), accounts=3)
    assert fired(advice) == set()
    assert advice.action is Action.NOTHING
    assert (
        advice.recommendation
        == "You are in the MVP phase: PostgreSQL cache is enough. Nothing to do."
    )
    assert advice.phase.cost_text == "$0/month"
    assert [t.name for t in advice.triggers] == [r.name for r in RULES]


def test_phase_1_and_phase_2_in_words() -> None:
    one = advise(minutes(steady(60)), accounts=20)
    assert one.action is Action.NOTHING
    assert one.recommendation == (
        "You are in Release 3 Phase 1: PostgreSQL cache is enough. Nothing to do."
    )
    two = advise(minutes(steady(60)), accounts=120)
    assert two.action is Action.MONITOR
    assert two.recommendation.startswith("You are in Release 3 Phase 2: PostgreSQL cache is enough")
    assert "add Redis when one fires" in two.recommendation


def test_the_scale_phase_requires_redis_without_any_trigger() -> None:
    advice = advise(minutes(steady(60)), accounts=250)
    assert fired(advice) == set()
    assert advice.action is Action.ADD_REDIS
    assert advice.recommendation.startswith(
        "You are in the Release 3 Scale phase (250 users): the decision matrix requires Redis."
    )


# Each trigger alone: the figure past its threshold for an hour, everything else calm.
ALONE = [
    ("query_latency", {"latency_mean_ms": 1500.0}, set()),
    ("database_cpu", {"db_cpu_pct": 85.0}, set()),
    ("concurrent_users", {"concurrent_users": 60}, set()),
    ("cache_hit_rate", {"cache_hit_rate_pct": 30.0}, set()),
    ("queries_per_day", {"queries_per_day": 1500}, set()),
    ("cache_read_p99", {"cache_read_p99_ms": 8.0}, set()),
    ("pool_wait", {"pool_wait_ms": 2.5}, set()),
    # the cache-share trigger needs a busy database as well, which is a trigger of its own
    ("cache_share_of_database", {"cache_db_share_pct": 40.0, "db_cpu_pct": 80.0}, {"database_cpu"}),
]


@pytest.mark.parametrize(("name", "fields", "also"), ALONE, ids=[a[0] for a in ALONE])
def test_each_trigger_alone(name: str, fields: dict[str, Any], also: set[str]) -> None:
    advice = advise(minutes(steady(60, **fields)), accounts=3)
    assert fired(advice) == {name} | also
    assert advice.action is Action.ADD_REDIS
    trigger = next(t for t in advice.triggers if t.name == name)
    assert trigger.threshold == RULE[name].threshold
    assert trigger.value == RULE[name].value(advice_minute(fields))
    assert advice.recommendation.startswith("Add Redis: ")
    assert trigger.label.lower() in advice.recommendation
    assert "LIFEWORLD_CACHE=hybrid" in advice.recommendation


def advice_minute(fields: dict[str, Any]) -> MinuteFigures:
    return minutes([fields])[0]


def test_the_cache_share_alone_does_not_fire_while_the_database_is_idle() -> None:
    advice = advise(minutes(steady(60, cache_db_share_pct=95.0, db_cpu_pct=20.0)), accounts=3)
    assert fired(advice) == set()
    assert advice.action is Action.NOTHING


def test_several_triggers_are_named_together() -> None:
    advice = advise(
        minutes(steady(60, latency_mean_ms=2000.0, concurrent_users=70, queries_per_day=3000)),
        accounts=3,
    )
    assert fired(advice) == {"query_latency", "concurrent_users", "queries_per_day"}
    assert advice.recommendation.startswith(
        "Add Redis: mean query latency, concurrent users and queries per day are past the "
        "threshold."
    )
    assert advice.phase.phase is Phase.PHASE_2  # 70 concurrent users


def test_with_redis_on_the_advice_is_to_keep_it_or_do_nothing() -> None:
    busy = advise(minutes(steady(60, concurrent_users=70)), accounts=3, redis_in_use=True)
    assert busy.action is Action.KEEP_REDIS
    assert "Redis is on and needed: concurrent users is past the threshold" in (busy.recommendation)
    quiet = advise(minutes(steady(60)), accounts=3, redis_in_use=True)
    assert quiet.action is Action.NOTHING
    assert quiet.recommendation == (
        "You are in the MVP phase. Redis is on and no trigger has fired. Nothing to do."
    )


# --- hysteresis -------------------------------------------------------------------------------


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_a_trigger_fires_after_exactly_fire_after_minutes(rule: advisor.Rule) -> None:
    over = over_fields(rule)
    just_short = minutes(steady(rule.fire_after - 1, **over) + steady(1))
    assert not evaluate(rule, just_short).fired
    enough = minutes(steady(rule.fire_after, **over))
    assert evaluate(rule, enough).fired


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_a_fired_trigger_clears_after_exactly_clear_after_calm_minutes(rule: advisor.Rule) -> None:
    over = over_fields(rule)
    history = steady(rule.fire_after, **over)
    still = evaluate(rule, minutes(history + steady(rule.clear_after - 1)))
    assert still.fired
    assert still.streak == rule.clear_after - 1
    assert still.needed == rule.clear_after
    assert not evaluate(rule, minutes(history + steady(rule.clear_after))).fired


def over_fields(rule: advisor.Rule) -> dict[str, Any]:
    fields = next(f for name, f, _ in ALONE if name == rule.name)
    return dict(fields)


def band_fields(rule: advisor.Rule) -> dict[str, Any]:
    """Between the clear level and the threshold: neither fires nor clears."""
    field = next(iter(over_fields(rule)))
    middle = (rule.threshold + rule.clear) / 2
    fields: dict[str, Any] = {field: int(middle) if isinstance(CALM[field], int) else middle}
    if rule.gate is not None:
        fields["db_cpu_pct"] = 80.0
    return fields


def test_flapping_around_the_threshold_never_fires() -> None:
    rule = RULE["query_latency"]
    flapping = [{"latency_mean_ms": 1500.0 if i % 2 else 20.0} for i in range(240)]
    assert not evaluate(rule, minutes(flapping)).fired
    # four bad minutes, one good one, for hours: never five in a row
    bursts = [{"latency_mean_ms": 1500.0 if i % 5 else 20.0} for i in range(240)]
    assert not evaluate(rule, minutes(bursts)).fired


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_hovering_between_clear_and_threshold_keeps_the_state(rule: advisor.Rule) -> None:
    band = steady(300, **band_fields(rule))
    assert not evaluate(rule, minutes(band)).fired  # never past the threshold: never fires
    history = steady(rule.fire_after, **over_fields(rule)) + band
    assert evaluate(rule, minutes(history)).fired  # past it once: stays fired in the band


def test_a_fired_trigger_survives_short_calm_spells() -> None:
    rule = RULE["concurrent_users"]
    history = steady(5, concurrent_users=60)
    for _ in range(6):  # 20 calm minutes, then 5 busy ones: never 30 calm in a row
        history += steady(20, concurrent_users=3) + steady(5, concurrent_users=60)
    assert evaluate(rule, minutes(history)).fired


def test_the_advice_flips_and_flips_back_with_a_load_that_comes_and_goes() -> None:
    quiet, busy = steady(60), steady(20, concurrent_users=80)
    assert advise(minutes(quiet), accounts=3).action is Action.NOTHING
    assert advise(minutes(quiet + busy), accounts=3).action is Action.ADD_REDIS
    after = quiet + busy + steady(29)
    assert advise(minutes(after), accounts=3).action is Action.ADD_REDIS  # not yet 30 calm
    back = advise(minutes(after + steady(1)), accounts=3)
    assert back.action is Action.NOTHING
    assert back.recommendation.endswith("Nothing to do.")


def test_minutes_without_data_never_fire_and_count_as_calm() -> None:
    rule = RULE["database_cpu"]
    unknown = minutes(steady(60, db_cpu_pct=None))
    trigger = evaluate(rule, unknown)
    assert not trigger.fired
    assert trigger.value is None
    history = steady(10, db_cpu_pct=90.0) + steady(15, db_cpu_pct=None)
    assert not evaluate(rule, minutes(history)).fired


def test_the_hit_rate_fires_below_its_threshold() -> None:
    rule = RULE["cache_hit_rate"]
    assert not rule.above
    assert evaluate(rule, minutes(steady(20, cache_hit_rate_pct=45.0))).fired
    assert not evaluate(rule, minutes(steady(20, cache_hit_rate_pct=51.0))).fired
    assert not evaluate(rule, minutes(steady(20, cache_hit_rate_pct=None))).fired


def test_the_advice_is_the_same_for_the_same_series() -> None:
    series = minutes(steady(30) + steady(30, queries_per_day=1200) + steady(30))
    assert advise(series, accounts=4) == advise(list(series), accounts=4)


# --- --simulate ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "figures", "accounts"),
    [
        (
            "users=120,queries_per_day=5000",
            {"concurrent_users": 120, "queries_per_day": 5000},
            None,
        ),
        (" hit_rate = 40% , db_cpu=75.5", {"cache_hit_rate_pct": 40.0, "db_cpu_pct": 75.5}, None),
        ("latency_ms=1200", {"latency_mean_ms": 1200.0}, None),
        ("accounts=300", {}, 300),
        (
            "cache_read_p99_ms=6,pool_wait_ms=1.5",
            {"cache_read_p99_ms": 6.0, "pool_wait_ms": 1.5},
            None,
        ),
        (
            "cache_db_share=35,LATENCY_P95_MS=3",
            {"cache_db_share_pct": 35.0, "latency_p95_ms": 3.0},
            None,
        ),
    ],
)
def test_simulate_parses_every_figure(
    text: str, figures: dict[str, float], accounts: int | None
) -> None:
    parsed = simulate.parse(text)
    assert parsed.figures == figures
    assert parsed.accounts == accounts


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "nothing to simulate"),
        ("users", "'users' is not key=value"),
        ("=5", "'=5' is not key=value"),
        ("visitors=5", "unknown figure 'visitors'; known: latency_ms"),
        ("users=12x", "users must be a whole number of 0 or more"),
        ("users=1.5", "users must be a whole number"),
        ("users=-3", "users must be a whole number of 0 or more"),
        ("hit_rate=120", "hit_rate must be a number from 0 to 100"),
        ("db_cpu=nan", "db_cpu must be a number from 0 to 100"),
        ("latency_ms=inf", "latency_ms must be a number of 0 or more"),
        ("users=5,users=6", "users is given twice"),
        ("users=5,,", "'' is not key=value"),
    ],
)
def test_simulate_refuses_bad_input_with_a_clear_message(text: str, message: str) -> None:
    with pytest.raises(simulate.SimulationError) as caught:
        simulate.parse(text)
    assert message in str(caught.value)


def test_a_simulation_holds_its_figures_over_the_whole_window() -> None:
    real = minutes(steady(90))
    pretend = simulate.apply(real, simulate.parse("users=120,queries_per_day=5000"))
    assert [m.minute for m in pretend] == [m.minute for m in real]
    assert {(m.concurrent_users, m.queries_per_day) for m in pretend} == {(120, 5000)}
    assert all(
        replace(p, concurrent_users=2, queries_per_day=40) == r
        for p, r in zip(pretend, real, strict=True)
    )
    advice = advise(pretend, accounts=3)
    assert fired(advice) == {"concurrent_users", "queries_per_day"}
    assert advice.phase.phase is Phase.PHASE_2
    assert advice.phase.cost_text == "$18–80/month"


# --- the System page's first words, for a household admin -----------------------------------


def test_plain_words_for_a_quiet_household() -> None:
    words = advisor.in_plain_words(advise(minutes(steady(120)), accounts=3))
    assert words.headline == "Everything is fine; no need for Redis."
    assert words.fine
    assert "3 users" in words.detail
    on = advisor.in_plain_words(advise(minutes(steady(120)), accounts=3, redis_in_use=True))
    assert on.headline == "Everything is fine; nothing to do."


def test_plain_words_follow_the_same_decision() -> None:
    growing = advisor.in_plain_words(advise(minutes(steady(60)), accounts=120))
    assert growing.headline == "Everything is fine; no need for Redis yet."
    scale = advise(minutes(steady(60)), accounts=250)
    assert scale.action is Action.ADD_REDIS
    words = advisor.in_plain_words(scale)
    assert words.headline == "It is time to add Redis."
    assert not words.fine
    assert "250 users" in words.detail
    kept = advisor.in_plain_words(advise(minutes(steady(60)), accounts=250, redis_in_use=True))
    assert kept.headline == "Everything is fine; keep Redis on."


def test_plain_words_name_the_fired_trigger() -> None:
    busy = advise(minutes(steady(60, latency_mean_ms=1500.0)), accounts=3)
    assert busy.action is Action.ADD_REDIS
    words = advisor.in_plain_words(busy)
    assert words.headline == "It is time to add Redis."
    assert "query latency is past the limit" in words.detail.lower()
