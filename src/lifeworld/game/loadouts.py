"""Loadout items, presets, power and summed benefits (GAME_RULES.md §13)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from decimal import Decimal
from enum import StrEnum

from lifeworld.game.errors import ItemWrongSlot, UnknownItem
from lifeworld.game.rounding import round_half_away

D = Decimal
ZERO = Decimal(0)


class Slot(StrEnum):
    PRIMARY = "PRIMARY"
    SECONDARY = "SECONDARY"
    GRENADE = "GRENADE"
    ARMOR_ABILITY = "ARMOR_ABILITY"
    TACTICAL = "TACTICAL"
    SUPPORT = "SUPPORT"


SLOT_WEIGHTS: dict[Slot, Decimal] = {
    Slot.PRIMARY: D("1.2"),
    Slot.SECONDARY: D("1.1"),
    Slot.GRENADE: D(1),
    Slot.ARMOR_ABILITY: D(1),
    Slot.TACTICAL: D("0.9"),
    Slot.SUPPORT: D("0.9"),
}


@dataclass(frozen=True, slots=True)
class LoadoutBonuses:
    """The two benefits that act on activities (§3.1): fractions, e.g. 0.10."""

    xp_gain: Decimal = ZERO
    energy_cost_reduction: Decimal = ZERO


NO_BONUSES = LoadoutBonuses()


@dataclass(frozen=True, slots=True)
class Benefits:
    """xp_gain, energy_cost_reduction, energy_efficiency are fractions; the rest stat points."""

    xp_gain: Decimal = ZERO
    energy_cost_reduction: Decimal = ZERO
    energy_efficiency: Decimal = ZERO
    capacity: int = 0
    engines: int = 0
    oxygen: int = 0
    meaning: int = 0
    optionality: int = 0
    armor: int = 0

    def plus(self, other: Benefits) -> Benefits:
        """Benefits of both, summed field by field."""
        return Benefits(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )

    def as_dict(self) -> dict[str, Decimal | int]:
        """snake_case benefit keys, zero entries left out."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}

    def bonuses(self) -> LoadoutBonuses:
        """The part applied to activities."""
        return LoadoutBonuses(self.xp_gain, self.energy_cost_reduction)


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    name: str
    slot: Slot
    power: int
    benefits: Benefits


def _item(slot: Slot, name: str, power: int, benefits: Benefits) -> Item:
    return Item(name.lower().replace(" ", "-"), name, slot, power, benefits)


P, S, G, A, T, U = (Slot.PRIMARY, Slot.SECONDARY, Slot.GRENADE, Slot.ARMOR_ABILITY,
                    Slot.TACTICAL, Slot.SUPPORT)  # fmt: skip
# "Balance: 5 to each stat" and "Determination: 5 stats" mean the five cloud stats, not armor.
ITEMS: tuple[Item, ...] = (
    _item(P, "Resilience", 300, Benefits(capacity=15, energy_cost_reduction=D("0.10"))),
    _item(P, "Discipline", 280, Benefits(xp_gain=D("0.10"), engines=10)),
    _item(P, "Focus", 290, Benefits(xp_gain=D("0.15"), energy_efficiency=D("0.10"))),
    _item(P, "Determination", 320,
          Benefits(capacity=10, engines=10, oxygen=5, meaning=5, optionality=5)),
    _item(P, "Strategic Thinking", 310, Benefits(optionality=20, meaning=10)),
    _item(S, "Courage", 250, Benefits(optionality=15, xp_gain=D("0.05"))),
    _item(S, "Adaptability", 240, Benefits(oxygen=10, energy_efficiency=D("0.15"))),
    _item(S, "Patience", 230, Benefits(meaning=12, capacity=8)),
    _item(S, "Persistence", 260, Benefits(engines=12, xp_gain=D("0.08"))),
    _item(S, "Composure", 270, Benefits(meaning=15, capacity=10)),
    _item(G, "Energy Boost", 150, Benefits(energy_efficiency=D("0.20"))),
    _item(G, "Quick Recovery", 140, Benefits(capacity=20)),
    _item(G, "Momentum Shift", 160, Benefits(xp_gain=D("0.25"))),
    _item(A, "Shield", 180, Benefits(oxygen=15, armor=10)),
    _item(A, "Regeneration", 170, Benefits(capacity=12, energy_efficiency=D("0.12"))),
    _item(A, "Fortification", 190, Benefits(capacity=25)),
    _item(A, "Recovery", 200, Benefits(capacity=20, energy_efficiency=D("0.15"))),
    _item(T, "Efficiency", 200,
          Benefits(energy_efficiency=D("0.20"), energy_cost_reduction=D("0.15"))),
    _item(T, "Synergy", 210, Benefits(xp_gain=D("0.12"), engines=8, oxygen=8)),
    _item(T, "Optimization", 220, Benefits(xp_gain=D("0.18"), energy_efficiency=D("0.10"))),
    _item(U, "Motivation", 160, Benefits(xp_gain=D("0.10"), meaning=10)),
    _item(U, "Clarity", 150, Benefits(meaning=15, optionality=10)),
    _item(U, "Balance", 170, Benefits(capacity=5, engines=5, oxygen=5, meaning=5, optionality=5)),
)  # fmt: skip
ITEMS_BY_ID: dict[str, Item] = {item.id: item for item in ITEMS}

SYNERGIES: tuple[tuple[str, str, int], ...] = (
    ("resilience", "courage", 50),
    ("focus", "efficiency", 30),
    ("discipline", "optimization", 30),
    ("determination", "motivation", 25),
    ("adaptability", "balance", 25),
)
FULL_LOADOUT_BONUS = 100


@dataclass(frozen=True, slots=True)
class Preset:
    id: str
    name: str
    item_ids: tuple[str, str, str, str, str, str]  # in slot order


PRESETS: tuple[Preset, ...] = tuple(
    Preset(name.lower().replace(" ", "-"), name, ids)
    for name, ids in (
        ("The Balanced", ("resilience", "patience", "quick-recovery", "regeneration", "synergy",
                          "balance")),
        ("The Warrior", ("determination", "courage", "momentum-shift", "shield", "optimization",
                         "motivation")),
        ("The Strategist", ("focus", "adaptability", "energy-boost", "fortification",
                            "efficiency", "clarity")),
        ("The Guardian", ("resilience", "patience", "quick-recovery", "fortification", "synergy",
                          "balance")),
        ("The Explorer", ("discipline", "courage", "momentum-shift", "shield", "optimization",
                          "clarity")),
    )
)  # fmt: skip


FIRST_PRESET = PRESETS[0]  # The Balanced: active from a player's first activity on


def preset_slots(preset: Preset) -> dict[str, str]:
    """A preset's item ids by slot name, as a loadout row stores them."""
    return {slot.value: item for slot, item in zip(Slot, preset.item_ids, strict=True)}


def missing_presets(have: Iterable[str | None], *, has_active: bool) -> list[tuple[Preset, bool]]:
    """The presets a player lacks, in book order, each with whether it starts active (§13).

    A player is born with all five, The Balanced active. Where presets are added later (a
    player made before that rule, an imported document without them), the ones missing are
    added and The Balanced becomes active only when no loadout is: a choice the player made
    stands.
    """
    held = set(have)
    return [
        (preset, preset is FIRST_PRESET and not has_active)
        for preset in PRESETS
        if preset.id not in held
    ]


def resolve(slots: Mapping[Slot, str | None]) -> dict[Slot, Item]:
    """Look up item ids per slot, refusing unknown items and items in the wrong slot."""
    items: dict[Slot, Item] = {}
    for slot, item_id in slots.items():
        if item_id is None:
            continue
        item = ITEMS_BY_ID.get(item_id)
        if item is None:
            raise UnknownItem(item_id)
        if item.slot is not slot:
            raise ItemWrongSlot(item_id, slot.value, item.slot.value)
        items[slot] = item
    return items


def preset_items(preset: Preset) -> dict[Slot, Item]:
    """A preset's items by slot."""
    return dict(zip(tuple(Slot), (ITEMS_BY_ID[i] for i in preset.item_ids), strict=True))


def loadout_power(items_by_slot: Mapping[Slot, Item]) -> int:
    """round(1.2·primary + 1.1·secondary + grenade + armor + 0.9·(tactical + support) + synergy)."""
    total = sum((SLOT_WEIGHTS[slot] * item.power for slot, item in items_by_slot.items()), D(0))
    ids = {item.id for item in items_by_slot.values()}
    total += sum(bonus for a, b, bonus in SYNERGIES if a in ids and b in ids)
    if all(slot in items_by_slot for slot in Slot):
        total += FULL_LOADOUT_BONUS
    return round_half_away(total)


def summed_benefits(items: Iterable[Item]) -> Benefits:
    """All benefits of the items added together."""
    total = Benefits()
    for item in items:
        total = total.plus(item.benefits)
    return total
