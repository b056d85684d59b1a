"""§2 capacity bands, energy cap, usable energy and burnout risk."""

from decimal import Decimal

import pytest

from lifeworld.game.capacity import (
    burnout_risk,
    capacity_band,
    energy_cap,
    reward_efficiency,
    usable_energy,
    xp_efficiency,
)


@pytest.mark.parametrize(
    ("capacity", "xp", "reward", "band"),
    [
        (0, "0.60", "0.60", "critical"),
        (20, "0.60", "0.60", "critical"),
        (21, "0.80", "0.90", "low"),
        (40, "0.80", "0.90", "low"),
        (41, "1.00", "1.00", "medium"),
        (70, "1.00", "1.00", "medium"),
        (71, "1.10", "1.05", "high"),
        (85, "1.10", "1.05", "high"),
        (86, "1.15", "1.10", "optimal"),
        (100, "1.15", "1.10", "optimal"),
    ],
)
def test_bands(capacity: int, xp: str, reward: str, band: str) -> None:
    assert xp_efficiency(capacity) == Decimal(xp)
    assert reward_efficiency(capacity) == Decimal(reward)
    assert capacity_band(capacity).name == band


@pytest.mark.parametrize(
    ("capacity", "cap"),
    [(0, 70), (29, 70), (30, 85), (59, 85), (60, 100), (79, 100), (80, 110), (100, 110)],
)
def test_energy_cap(capacity: int, cap: int) -> None:
    assert energy_cap(capacity) == cap
    assert energy_cap(capacity, burnout=True) == 40


def test_usable_energy() -> None:
    assert usable_energy(100, 85) == 85
    assert usable_energy(50, 85) == 50
    assert usable_energy(100, 40) == 40
    assert usable_energy(-5, 85) == 0


@pytest.mark.parametrize(
    ("capacity", "risk"), [(0, "high"), (29, "high"), (30, "medium"), (49, "medium"), (50, "low")]
)
def test_burnout_risk(capacity: int, risk: str) -> None:
    assert burnout_risk(capacity) == risk
