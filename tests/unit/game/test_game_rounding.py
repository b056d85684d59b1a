"""Half-away-from-zero rounding and exact Decimal arithmetic."""

from decimal import Decimal

import pytest

from lifeworld.game.rounding import CENT, clamp, floor_int, quantize, round_half_away, to_decimal


@pytest.mark.parametrize(
    ("value", "expected"),
    [(2.5, 3), (-2.5, -3), (0.5, 1), (-0.5, -1), (1.49, 1), (3, 3), (Decimal("599.5"), 600)],
)
def test_round_half_away(value: Decimal | float | int, expected: int) -> None:
    assert round_half_away(value) == expected


def test_multiplication_is_exact() -> None:
    # 500 × 1.2 in binary floating point is 599.9999…; the rules must see exactly 600
    assert round_half_away(Decimal(500) * to_decimal(1.2)) == 600
    assert to_decimal(1.2) == Decimal("1.2")
    assert round_half_away(Decimal(5) * to_decimal(1.1)) == 6  # 5.5 exactly, not 5.499…


def test_quantize_halves_away_from_zero() -> None:
    assert quantize(Decimal("0.125"), CENT) == Decimal("0.13")
    assert quantize(Decimal("-0.125"), CENT) == Decimal("-0.13")
    assert quantize(Decimal("0.124"), CENT) == Decimal("0.12")


def test_floor_and_clamp() -> None:
    assert floor_int(Decimal("-0.5")) == -1
    assert floor_int(Decimal("11.2")) == 11
    assert clamp(120, 0, 100) == 100
    assert clamp(-3, 0, 100) == 0
