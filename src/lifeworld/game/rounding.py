"""Exact arithmetic: every multiplication in the rules runs on Decimal, rounded half away."""

from __future__ import annotations

from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

Number = Decimal | int | float

ONE = Decimal(1)
CENT = Decimal("0.01")
OXYGEN_QUANTUM = Decimal("0.0001")


def to_decimal(x: Number) -> Decimal:
    """Convert without binary noise: a float goes through its repr (1.2 → Decimal('1.2'))."""
    if isinstance(x, Decimal):
        return x
    if isinstance(x, float):
        return Decimal(repr(x))
    return Decimal(x)


def round_half_away(x: Number) -> int:
    """Round to the nearest integer, halves away from zero (2.5 → 3, −2.5 → −3)."""
    # Decimal's ROUND_HALF_UP rounds ties away from zero, for negatives too.
    return int(to_decimal(x).quantize(ONE, rounding=ROUND_HALF_UP))


def quantize(x: Number, quantum: Decimal) -> Decimal:
    """Round to a multiple of `quantum` (e.g. 0.01), halves away from zero."""
    return to_decimal(x).quantize(quantum, rounding=ROUND_HALF_UP)


def floor_int(x: Number) -> int:
    """Largest integer ≤ x, computed exactly."""
    return int(to_decimal(x).to_integral_value(rounding=ROUND_FLOOR))


def clamp(value: int, low: int, high: int) -> int:
    """`value` limited to low…high."""
    return max(low, min(high, value))
