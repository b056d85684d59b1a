"""Resource changes from activities and training tasks (GAME_RULES.md §4)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from lifeworld.game.capacity import reward_efficiency
from lifeworld.game.rounding import CENT, OXYGEN_QUANTUM, quantize, round_half_away
from lifeworld.game.state import Resources

ZERO = Decimal(0)
HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class ResourceChanges:
    """oxygen, gold and keys are added; water and armor are set. None leaves a resource alone."""

    oxygen: Decimal | None = None
    water: Decimal | None = None
    gold: Decimal | None = None
    armor: int | None = None
    keys: int | None = None

    def is_empty(self) -> bool:
        """True when nothing would change."""
        return all(v is None for v in (self.oxygen, self.water, self.gold, self.armor, self.keys))


NO_CHANGES = ResourceChanges()


def _scaled(value: Decimal | int | None, factor: Decimal, quantum: Decimal) -> Decimal | None:
    return None if value is None else quantize(Decimal(value) * factor, quantum)


def scale_changes(changes: ResourceChanges, capacity: int) -> ResourceChanges:
    """Multiply every change by the capacity reward efficiency; armor and keys rounded half away.

    The rule multiplies "changes", so the value a set-type resource (water, armor) is set to is
    scaled too, and so are negative changes: the text does not distinguish, we follow it literally.
    """
    factor = reward_efficiency(capacity)
    return ResourceChanges(
        oxygen=_scaled(changes.oxygen, factor, OXYGEN_QUANTUM),
        water=_scaled(changes.water, factor, CENT),
        gold=_scaled(changes.gold, factor, CENT),
        armor=None if changes.armor is None else round_half_away(changes.armor * factor),
        keys=None if changes.keys is None else round_half_away(changes.keys * factor),
    )


def apply_changes(resources: Resources, changes: ResourceChanges) -> Resources:
    """Add oxygen, gold and keys (never below 0); set water and armor (clamped 0–100).

    Quantized after the floor, so 0 is stored and shown as 0.0000 oxygen or 0.00 gold, the
    same as the value read back from the database (an export's bytes must not depend on it).
    """
    oxygen, water, gold = resources.oxygen, resources.water, resources.gold
    armor, keys = resources.armor, resources.keys
    if changes.oxygen is not None:
        oxygen = quantize(max(ZERO, oxygen + changes.oxygen), OXYGEN_QUANTUM)
    if changes.water is not None:
        water = quantize(min(HUNDRED, max(ZERO, changes.water)), CENT)
    if changes.gold is not None:
        gold = quantize(max(ZERO, gold + changes.gold), CENT)
    if changes.armor is not None:
        armor = min(100, max(0, changes.armor))
    if changes.keys is not None:
        keys = max(0, keys + changes.keys)
    return Resources(oxygen=oxygen, water=water, gold=gold, armor=armor, keys=keys)


def applied_changes(
    before: Resources, after: Resources, changes: ResourceChanges
) -> ResourceChanges:
    """What really changed: deltas for added resources, the final value for set ones."""
    return ResourceChanges(
        oxygen=None if changes.oxygen is None else after.oxygen - before.oxygen,
        water=None if changes.water is None else after.water,
        gold=None if changes.gold is None else after.gold - before.gold,
        armor=None if changes.armor is None else after.armor,
        keys=None if changes.keys is None else after.keys - before.keys,
    )


def apply_reward(
    resources: Resources, changes: ResourceChanges, capacity: int
) -> tuple[Resources, ResourceChanges]:
    """Scale by reward efficiency, apply, and return the new resources and what was applied."""
    after = apply_changes(resources, scale_changes(changes, capacity))
    return after, applied_changes(resources, after, changes)
