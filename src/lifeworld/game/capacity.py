"""Capacity bands, energy cap and burnout risk (GAME_RULES.md §2)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

BurnoutRisk = Literal["high", "medium", "low"]
BURNOUT_ENERGY_CAP = 40
# (capacity below, energy cap), lowest first; at or above the last bound the cap is TOP_ENERGY_CAP
ENERGY_CAPS: tuple[tuple[int, int], ...] = ((30, 70), (60, 85), (80, 100))
TOP_ENERGY_CAP = 110


@dataclass(frozen=True, slots=True)
class CapacityBand:
    name: str
    low: int
    high: int
    xp_efficiency: Decimal
    reward_efficiency: Decimal


BANDS: tuple[CapacityBand, ...] = (
    CapacityBand("critical", 0, 20, Decimal("0.60"), Decimal("0.60")),
    CapacityBand("low", 21, 40, Decimal("0.80"), Decimal("0.90")),
    CapacityBand("medium", 41, 70, Decimal("1.00"), Decimal("1.00")),
    CapacityBand("high", 71, 85, Decimal("1.10"), Decimal("1.05")),
    CapacityBand("optimal", 86, 100, Decimal("1.15"), Decimal("1.10")),
)


def capacity_band(capacity: int) -> CapacityBand:
    """The band a capacity falls in; values outside 0–100 take the nearest end band."""
    for band in BANDS:
        if capacity <= band.high:
            return band
    return BANDS[-1]


def xp_efficiency(capacity: int) -> Decimal:
    """XP multiplier of the capacity band."""
    return capacity_band(capacity).xp_efficiency


def reward_efficiency(capacity: int) -> Decimal:
    """Resource-reward multiplier of the capacity band."""
    return capacity_band(capacity).reward_efficiency


def energy_cap(capacity: int, burnout: bool = False) -> int:
    """The most energy a player can use today."""
    if burnout:
        return BURNOUT_ENERGY_CAP
    for below, cap in ENERGY_CAPS:
        if capacity < below:
            return cap
    return TOP_ENERGY_CAP


def usable_energy(stored: int, cap: int) -> int:
    """min(stored, cap), never negative."""
    return max(0, min(stored, cap))


def burnout_risk(capacity: int) -> BurnoutRisk:
    """Risk label shown on the dashboard."""
    if capacity < 30:
        return "high"
    if capacity < 50:
        return "medium"
    return "low"
