"""§13 loadouts: the items, presets, power with synergies and summed benefits."""

from datetime import date
from decimal import Decimal

import pytest

from lifeworld.game.activities import perform_activity
from lifeworld.game.errors import ItemWrongSlot, UnknownItem
from lifeworld.game.loadouts import (
    ITEMS,
    ITEMS_BY_ID,
    PRESETS,
    Benefits,
    Slot,
    loadout_power,
    preset_items,
    resolve,
    summed_benefits,
)
from lifeworld.game.state import ActivityType, PlayerState

D = Decimal
P, S, G, A, T, U = (
    Slot.PRIMARY,
    Slot.SECONDARY,
    Slot.GRENADE,
    Slot.ARMOR_ABILITY,
    Slot.TACTICAL,
    Slot.SUPPORT,
)

ROWS = [
    ("resilience", P, 300, {"capacity": 15, "energy_cost_reduction": D("0.10")}),
    ("discipline", P, 280, {"xp_gain": D("0.10"), "engines": 10}),
    ("focus", P, 290, {"xp_gain": D("0.15"), "energy_efficiency": D("0.10")}),
    (
        "determination",
        P,
        320,
        {"capacity": 10, "engines": 10, "oxygen": 5, "meaning": 5, "optionality": 5},
    ),
    ("strategic-thinking", P, 310, {"optionality": 20, "meaning": 10}),
    ("courage", S, 250, {"optionality": 15, "xp_gain": D("0.05")}),
    ("adaptability", S, 240, {"oxygen": 10, "energy_efficiency": D("0.15")}),
    ("patience", S, 230, {"meaning": 12, "capacity": 8}),
    ("persistence", S, 260, {"engines": 12, "xp_gain": D("0.08")}),
    ("composure", S, 270, {"meaning": 15, "capacity": 10}),
    ("energy-boost", G, 150, {"energy_efficiency": D("0.20")}),
    ("quick-recovery", G, 140, {"capacity": 20}),
    ("momentum-shift", G, 160, {"xp_gain": D("0.25")}),
    ("shield", A, 180, {"oxygen": 15, "armor": 10}),
    ("regeneration", A, 170, {"capacity": 12, "energy_efficiency": D("0.12")}),
    ("fortification", A, 190, {"capacity": 25}),
    ("recovery", A, 200, {"capacity": 20, "energy_efficiency": D("0.15")}),
    ("efficiency", T, 200, {"energy_efficiency": D("0.20"), "energy_cost_reduction": D("0.15")}),
    ("synergy", T, 210, {"xp_gain": D("0.12"), "engines": 8, "oxygen": 8}),
    ("optimization", T, 220, {"xp_gain": D("0.18"), "energy_efficiency": D("0.10")}),
    ("motivation", U, 160, {"xp_gain": D("0.10"), "meaning": 10}),
    ("clarity", U, 150, {"meaning": 15, "optionality": 10}),
    ("balance", U, 170, {"capacity": 5, "engines": 5, "oxygen": 5, "meaning": 5, "optionality": 5}),
]


def test_there_are_23_items_in_six_slots() -> None:
    assert len(ITEMS) == len(ITEMS_BY_ID) == 23
    assert {slot: sum(1 for i in ITEMS if i.slot is slot) for slot in Slot} == {
        P: 5,
        S: 5,
        G: 3,
        A: 4,
        T: 3,
        U: 3,
    }


@pytest.mark.parametrize(("item_id", "slot", "power", "benefits"), ROWS)
def test_item(item_id: str, slot: Slot, power: int, benefits: dict[str, Decimal | int]) -> None:
    item = ITEMS_BY_ID[item_id]
    assert (item.slot, item.power, item.benefits.as_dict()) == (slot, power, benefits)


@pytest.mark.parametrize(
    ("name", "power"),
    [
        # 1.2·P + 1.1·S + G + A + 0.9·T + 0.9·U + synergies (+100 for six filled slots)
        ("The Balanced", 1365),  # 360 + 253 + 140 + 170 + 189 + 153 + 100
        (
            "The Warrior",
            1466,
        ),  # 384 + 275 + 160 + 180 + 198 + 144 + 25 (Determination+Motivation) + 100
        ("The Strategist", 1397),  # 348 + 264 + 150 + 190 + 180 + 135 + 30 (Focus+Efficiency) + 100
        ("The Guardian", 1385),  # 360 + 253 + 140 + 190 + 189 + 153 + 100
        (
            "The Explorer",
            1414,
        ),  # 336 + 275 + 160 + 180 + 198 + 135 + 30 (Discipline+Optimization) + 100
    ],
)
def test_preset_power(name: str, power: int) -> None:
    [preset] = [p for p in PRESETS if p.name == name]
    assert loadout_power(preset_items(preset)) == power


@pytest.mark.parametrize(
    ("slots", "power"),
    [
        ({}, 0),
        ({P: "resilience", S: "courage"}, 685),  # 360 + 275 + 50
        ({P: "focus", T: "efficiency"}, 558),  # 348 + 180 + 30
        ({P: "discipline", T: "optimization"}, 564),  # 336 + 198 + 30
        ({P: "determination", U: "motivation"}, 553),  # 384 + 144 + 25
        ({S: "adaptability", U: "balance"}, 442),  # 264 + 153 + 25
        ({P: "resilience", S: "patience"}, 613),  # 360 + 253, no synergy
    ],
)
def test_synergies(slots: dict[Slot, str], power: int) -> None:
    assert loadout_power(resolve(slots)) == power


def test_summed_benefits_of_presets() -> None:
    by_name = {p.name: summed_benefits(preset_items(p).values()) for p in PRESETS}
    assert by_name["The Balanced"] == Benefits(
        xp_gain=D("0.12"), energy_cost_reduction=D("0.10"), energy_efficiency=D("0.12"),
        capacity=60, engines=13, oxygen=13, meaning=17, optionality=5,
    )  # fmt: skip
    assert by_name["The Warrior"] == Benefits(
        xp_gain=D("0.58"), energy_efficiency=D("0.10"),
        capacity=10, engines=10, oxygen=20, meaning=15, optionality=20, armor=10,
    )  # fmt: skip
    assert by_name["The Strategist"] == Benefits(
        xp_gain=D("0.15"), energy_cost_reduction=D("0.15"), energy_efficiency=D("0.65"),
        capacity=25, oxygen=10, meaning=15, optionality=10,
    )  # fmt: skip


def test_active_loadout_bonuses_apply_to_activities() -> None:
    warrior = summed_benefits(preset_items(PRESETS[1]).values()).bonuses()
    day = date(2025, 1, 1)
    result = perform_activity(
        PlayerState.new(day), ActivityType.WORK_PROJECT, today=day, bonuses=warrior
    )
    assert result.xp_gained.overall == 948  # 500 × 1.2 = 600 × 1.58
    strategist = summed_benefits(preset_items(PRESETS[2]).values()).bonuses()
    result = perform_activity(
        PlayerState.new(day), ActivityType.WORK_PROJECT, today=day, bonuses=strategist
    )
    assert result.energy_cost == 26  # 30 × 0.85 = 25.5 → 26


def test_resolve_refuses_bad_items() -> None:
    with pytest.raises(ItemWrongSlot) as wrong:
        resolve({S: "resilience"})
    assert wrong.value.code == "item_wrong_slot"
    with pytest.raises(UnknownItem):
        resolve({P: "laser"})
    assert resolve({P: None}) == {}


def test_preset_ids_are_stable() -> None:
    assert [p.id for p in PRESETS] == [
        "the-balanced", "the-warrior", "the-strategist", "the-guardian", "the-explorer"
    ]  # fmt: skip
