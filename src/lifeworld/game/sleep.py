"""Sleep restoration, live energy drain and boosts (GAME_RULES.md §11)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from lifeworld.game.capacity import energy_cap, usable_energy
from lifeworld.game.instants import shifted
from lifeworld.game.rounding import Number, floor_int, quantize, to_decimal
from lifeworld.game.state import PlayerState

DRAIN_PER_HOUR = 2
GOOD_SLEEP_BONUS = 20
HOURS_COUNTED = 8  # sleep beyond this restores nothing more
GOOD_SLEEP_HOURS = (7, 9)  # inclusive: with GOOD_SLEEP_QUALITY or better, the bonus applies
GOOD_SLEEP_QUALITY = 8


def _hours(delta: timedelta) -> Decimal:
    # exact: timedelta // microseconds is an int, so no float noise
    return Decimal(delta // timedelta(microseconds=1)) / Decimal(3_600_000_000)


def restoration(hours: Number, quality: int) -> int:
    """floor(min(hours, 8) × (0.5 + quality/10)), + 20 when 7 ≤ hours ≤ 9 and quality ≥ 8."""
    h = min(Decimal(24), max(Decimal(0), to_decimal(hours)))
    q = min(10, max(1, quality))
    restored = floor_int(min(h, Decimal(HOURS_COUNTED)) * (Decimal("0.5") + Decimal(q) / 10))
    shortest, longest = GOOD_SLEEP_HOURS
    good = shortest <= h <= longest and q >= GOOD_SLEEP_QUALITY
    return restored + (GOOD_SLEEP_BONUS if good else 0)


def quality_label(quality: int) -> str:
    """poor (≤ 3), fair (≤ 5), good (≤ 8) or excellent."""
    if quality <= 3:
        return "poor"
    if quality <= 5:
        return "fair"
    return "good" if quality <= 8 else "excellent"


def restored_energy(current: int, restored: int, cap: int, already_restored: int = 0) -> int:
    """min(current + restoration, cap), never lowering energy.

    A second log for the same date replaces the first, so only the part of the new restoration
    beyond what the replaced log already gave (`already_restored`) is added: re-logging a night
    cannot farm energy. Energy already above the cap is kept, not cut by sleeping.
    """
    gain = max(0, restored - already_restored)
    return max(current, min(current + gain, cap))


def apply_sleep(
    state: PlayerState, hours: Number, quality: int, *, now: datetime, already_restored: int = 0
) -> tuple[PlayerState, int]:
    """The state after a sleep log and the energy it actually added; the drain restarts now."""
    cap = energy_cap(state.clouds.capacity, state.burnout_active)
    energy = restored_energy(state.energy, restoration(hours, quality), cap, already_restored)
    return replace(state, energy=energy, energy_restored_at=now), energy - state.energy


@dataclass(frozen=True, slots=True)
class LiveEnergy:
    energy: int
    hours_until_empty: Decimal  # two decimals


def live_energy(stored: int, cap: int, restored_at: datetime | None, now: datetime) -> LiveEnergy:
    """Usable energy drained by 2 per hour since it was last restored (floor, never below 0)."""
    usable = usable_energy(stored, cap)
    elapsed = Decimal(0) if restored_at is None or now <= restored_at else _hours(now - restored_at)
    live = max(0, usable - floor_int(elapsed * DRAIN_PER_HOUR))
    left = max(Decimal(0), Decimal(usable) / DRAIN_PER_HOUR - elapsed) if live else Decimal(0)
    return LiveEnergy(live, quantize(left, Decimal("0.01")))


def empty_at(stored: int, cap: int, restored_at: datetime | None) -> datetime | None:
    """The instant the live drain reaches 0 (usable / 2 hours after the last restore), if any."""
    if restored_at is None:
        return None
    return shifted(restored_at, timedelta(hours=1) * usable_energy(stored, cap) / DRAIN_PER_HOUR)


@dataclass(frozen=True, slots=True)
class EnergyStatus:
    stored: int
    usable: int
    cap: int
    live: int
    hours_until_empty: Decimal


def energy_status(state: PlayerState, now: datetime) -> EnergyStatus:
    """Stored, usable, cap and live energy of a player, as the energy page shows them."""
    cap = energy_cap(state.clouds.capacity, state.burnout_active)
    live = live_energy(state.energy, cap, state.energy_restored_at, now)
    usable = usable_energy(state.energy, cap)
    return EnergyStatus(state.energy, usable, cap, live.energy, live.hours_until_empty)


class BoostKind(StrEnum):
    CAFFEINE = "caffeine"
    FOOD = "food"
    SUPPLEMENT = "supplement"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Boost:
    kind: BoostKind
    amount: int
    duration_minutes: int
    decay_per_hour: Decimal
    started_at: datetime


@dataclass(frozen=True, slots=True)
class BoostStatus:
    kind: BoostKind
    remaining: int
    active: bool  # still inside its duration
    expires_at: datetime


def boost_status(boost: Boost, now: datetime) -> BoostStatus:
    """The boost's amount now: full until it expires, then less by decay_per_hour (floor 0)."""
    expires_at = shifted(boost.started_at, timedelta(minutes=max(0, boost.duration_minutes)))
    amount = max(0, boost.amount)
    if now < expires_at:
        return BoostStatus(boost.kind, amount, True, expires_at)
    decayed = floor_int(max(Decimal(0), boost.decay_per_hour) * _hours(now - expires_at))
    return BoostStatus(boost.kind, max(0, amount - decayed), False, expires_at)
