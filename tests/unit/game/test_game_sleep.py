"""§11 sleep restoration, live energy and boosts."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from lifeworld.game.sleep import (
    Boost,
    BoostKind,
    apply_sleep,
    boost_status,
    energy_status,
    live_energy,
    quality_label,
    restoration,
    restored_energy,
)
from lifeworld.game.state import PlayerState

MORNING = datetime(2025, 5, 1, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("hours", "quality", "restored"),
    [
        ("8", 9, 31),  # floor(8 × 1.4) = 11, + 20
        ("7", 8, 29),  # floor(7 × 1.3 = 9.1) = 9, + 20
        ("9", 10, 32),  # min(9, 8) × 1.5 = 12, + 20
        ("10", 10, 12),  # more than 9 hours: no bonus
        ("6", 9, 8),  # floor(8.4), under 7 hours: no bonus
        ("7", 7, 8),  # floor(8.4), quality under 8: no bonus
        ("7.5", 8, 29),  # floor(9.75) = 9, + 20
        ("0", 1, 0),
        ("4", 1, 2),  # 4 × 0.6 = 2.4
    ],
)
def test_restoration(hours: str, quality: int, restored: int) -> None:
    assert restoration(Decimal(hours), quality) == restored


@pytest.mark.parametrize(
    ("quality", "label"),
    [
        (1, "poor"),
        (3, "poor"),
        (4, "fair"),
        (5, "fair"),
        (6, "good"),
        (8, "good"),
        (9, "excellent"),
        (10, "excellent"),
    ],
)
def test_quality_label(quality: int, label: str) -> None:
    assert quality_label(quality) == label


def test_restored_energy_is_capped_and_never_lowered() -> None:
    assert restored_energy(50, 31, 85) == 81
    assert restored_energy(70, 31, 85) == 85
    assert restored_energy(100, 31, 85) == 100  # already above the cap: kept
    assert restored_energy(50, 20, 85, already_restored=31) == 50  # a replaced log: no gain
    assert restored_energy(50, 31, 85, already_restored=20) == 61  # only the difference


@pytest.mark.parametrize(
    ("energy", "burnout", "already", "after"),
    [
        (100, False, 0, 100),  # stored 100 above the cap 85 (capacity 50): min(131, 85) = 85 < 100
        (60, True, 0, 60),  # in burnout the cap is 40: stored 60 stays 60
        (85, False, 0, 85),  # at the cap: nothing to add, nothing taken
        (70, False, 0, 85),  # min(70 + 31, 85) = 85: lifted to the cap, no further
        # the date's earlier log credited 40 (a stored figure above this night's 31): the
        # replacement's restoration is below it, so current + (31 − 40) would lower energy;
        # it credits nothing and energy stays
        (50, False, 40, 50),
    ],
    ids=["above-cap", "above-burnout-cap", "at-cap", "up-to-cap", "worse-replacement"],
)
def test_logging_sleep_never_lowers_stored_energy(
    energy: int, burnout: bool, already: int, after: int
) -> None:
    """§11: energy = max(current, min(current + restoration, cap)): logging sleep never lowers
    stored energy (8 h at quality 9 restores floor(8 × 1.4) + 20 = 31)."""
    state = replace(PlayerState.new(date(2025, 5, 1)), energy=energy, burnout_active=burnout)
    slept, added = apply_sleep(state, Decimal(8), 9, now=MORNING, already_restored=already)
    assert slept.energy == after
    assert added == after - energy >= 0


def test_replacing_a_days_sleep_log_credits_only_the_extra_restoration() -> None:
    """§11: a second log for the same date replaces the first and credits only the extra
    restoration: 5 h at quality 4 restores floor(5 × 0.9) = 4; replaced by 8 h at quality 9
    (31), only 31 − 4 = 27 more; the same night logged again adds nothing."""
    state = replace(PlayerState.new(date(2025, 5, 1)), energy=40)
    first, gained = apply_sleep(state, Decimal(5), 4, now=MORNING)
    assert (first.energy, gained) == (44, 4)
    better, gained = apply_sleep(first, Decimal(8), 9, now=MORNING, already_restored=4)
    assert (better.energy, gained) == (71, 27)  # 40 + 31 in all, as if logged once
    again, gained = apply_sleep(better, Decimal(8), 9, now=MORNING, already_restored=31)
    assert (again.energy, gained) == (71, 0)


def test_apply_sleep_restarts_the_drain() -> None:
    state = replace(PlayerState.new(date(2025, 5, 1)), energy=40)
    after, added = apply_sleep(state, Decimal(8), 9, now=MORNING)
    assert (after.energy, added, after.energy_restored_at) == (71, 31, MORNING)
    burnt = replace(state, burnout_active=True, energy=30)
    assert apply_sleep(burnt, Decimal(8), 9, now=MORNING)[0].energy == 40  # burnout cap


def test_live_energy_drains_two_per_hour() -> None:
    assert live_energy(80, 85, MORNING, MORNING + timedelta(hours=2.5)).energy == 75
    assert live_energy(80, 85, MORNING, MORNING + timedelta(hours=2, minutes=29)).energy == 76
    assert live_energy(100, 85, MORNING, MORNING).energy == 85  # usable, not stored
    assert live_energy(80, 85, None, MORNING).energy == 80
    assert live_energy(80, 85, MORNING, MORNING - timedelta(hours=1)).energy == 80


def test_hours_until_empty() -> None:
    assert live_energy(
        80, 85, MORNING, MORNING + timedelta(hours=2.5)
    ).hours_until_empty == Decimal("37.5")
    empty = live_energy(80, 85, MORNING, MORNING + timedelta(hours=41))
    assert (empty.energy, empty.hours_until_empty) == (0, Decimal(0))


@pytest.mark.parametrize(
    ("after", "remaining", "active"),
    [
        (timedelta(minutes=59), 20, True),
        (timedelta(hours=1), 20, False),  # expired, no time to decay yet
        (timedelta(hours=2), 15, False),
        (timedelta(hours=2, minutes=30), 13, False),  # 20 − floor(7.5)
        (timedelta(hours=5), 0, False),
        (timedelta(hours=12), 0, False),
    ],
)
def test_boost_status(after: timedelta, remaining: int, active: bool) -> None:
    boost = Boost(BoostKind.CAFFEINE, 20, 60, Decimal(5), MORNING)
    status = boost_status(boost, MORNING + after)
    assert (status.remaining, status.active) == (remaining, active)
    assert status.expires_at == MORNING + timedelta(hours=1)


def test_energy_status() -> None:
    state = replace(PlayerState.new(date(2025, 5, 1)), energy=100, energy_restored_at=MORNING)
    status = energy_status(state, MORNING + timedelta(hours=3))
    # capacity 50 → cap 85; usable 85; live 85 − 6
    assert (status.stored, status.usable, status.cap, status.live) == (100, 85, 85, 79)
    assert status.hours_until_empty == Decimal("39.5")
