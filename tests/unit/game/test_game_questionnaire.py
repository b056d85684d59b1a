"""§10 the onboarding questionnaire: every mapping."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from lifeworld.game.errors import QuestionnaireAlreadyDone
from lifeworld.game.questionnaire import (
    Answers,
    Experience,
    Strength,
    StressManagement,
    apply_questionnaire,
    evaluate,
)
from lifeworld.game.state import XP, CategoryXP, PlayerState, Season

TODAY = date(2025, 4, 1)
BASE = Answers(
    life_phase=Season.AUTUMN,
    months_saved=Decimal(0),
    health=Strength.WEAK,
    income_sources=1,
    purpose=Strength.WEAK,
    options=1,
    stress=StressManagement.LOW,
    experience=Experience.BEGINNER,
)


def answers(**changes: object) -> Answers:
    return replace(BASE, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("health", "capacity", "water"),
    [
        (Strength.WEAK, 40, 30),
        (Strength.MEDIUM, 60, 50),
        (Strength.STRONG, 75, 75),
        (Strength.VERY_STRONG, 90, 90),
    ],
)
def test_health(health: Strength, capacity: int, water: int) -> None:
    result = evaluate(answers(health=health), TODAY)
    assert result.clouds.capacity == capacity
    assert result.resources.water == water


@pytest.mark.parametrize(("sources", "engines"), [(1, 40), (2, 60), (3, 75), (4, 85), (10, 85)])
def test_income_sources(sources: int, engines: int) -> None:
    assert evaluate(answers(income_sources=sources), TODAY).clouds.engines == engines


@pytest.mark.parametrize(
    ("months", "oxygen"),
    [("0", 30), ("1", 30), ("1.5", 50), ("3", 50), ("4", 70), ("6", 70), ("6.5", 85), ("120", 85)],
)
def test_months_saved(months: str, oxygen: int) -> None:
    result = evaluate(answers(months_saved=Decimal(months)), TODAY)
    assert result.clouds.oxygen == oxygen
    assert result.resources.oxygen == Decimal(months)


@pytest.mark.parametrize(
    ("purpose", "meaning"),
    [(Strength.WEAK, 35), (Strength.MEDIUM, 55), (Strength.STRONG, 75), (Strength.VERY_STRONG, 90)],
)
def test_purpose(purpose: Strength, meaning: int) -> None:
    assert evaluate(answers(purpose=purpose), TODAY).clouds.meaning == meaning


@pytest.mark.parametrize(
    ("options", "optionality"), [(1, 30), (2, 50), (3, 50), (4, 70), (5, 70), (6, 85), (10, 85)]
)
def test_options(options: int, optionality: int) -> None:
    assert evaluate(answers(options=options), TODAY).clouds.optionality == optionality


@pytest.mark.parametrize(
    ("stress", "armor"),
    [
        (StressManagement.LOW, 20),
        (StressManagement.MEDIUM, 45),
        (StressManagement.HIGH, 70),
        (StressManagement.VERY_HIGH, 85),
    ],
)
def test_stress(stress: StressManagement, armor: int) -> None:
    assert evaluate(answers(stress=stress), TODAY).resources.armor == armor


@pytest.mark.parametrize(
    ("months", "sources", "gold"),
    [("0", 1, "0"), ("3", 2, "3500"), ("1.5", 4, "3000"), ("0", 10, "4500")],
)
def test_gold(months: str, sources: int, gold: str) -> None:
    result = evaluate(answers(months_saved=Decimal(months), income_sources=sources), TODAY)
    assert result.resources.gold == Decimal(gold)


@pytest.mark.parametrize(
    ("options", "purpose", "keys"),
    [
        (2, Strength.MEDIUM, 0),
        (3, Strength.MEDIUM, 1),
        (5, Strength.MEDIUM, 2),
        (5, Strength.STRONG, 3),
        (1, Strength.VERY_STRONG, 1),
    ],
)
def test_keys(options: int, purpose: Strength, keys: int) -> None:
    assert evaluate(answers(options=options, purpose=purpose), TODAY).resources.keys == keys


def test_season_energy_and_start() -> None:
    result = evaluate(answers(), TODAY)
    assert (result.season, result.season_started_on, result.energy) == (Season.AUTUMN, TODAY, 100)


def test_overall_xp_from_experience() -> None:
    overall = {e: evaluate(answers(experience=e), TODAY).xp.overall for e in Experience}
    assert overall == {
        Experience.BEGINNER: 0,
        Experience.SOME: 750,
        Experience.EXPERIENCED: 1_750,
        Experience.VERY_EXPERIENCED: 3_000,
    }
    assert evaluate(answers(), TODAY).xp == XP()


ALL_STRONG = {
    "health": Strength.STRONG,
    "income_sources": 2,
    "months_saved": Decimal(3),
    "purpose": Strength.VERY_STRONG,
    "options": 3,
}


def test_category_xp_in_weak_areas() -> None:
    # 1,750 × weight × 0.8: 280, 350, 280, 210, 280 (sum 1,400 ≤ 1,750: no scaling)
    result = evaluate(answers(experience=Experience.EXPERIENCED), TODAY)
    assert result.xp.categories == CategoryXP(280, 350, 280, 210, 280)


def test_category_xp_mixed_areas() -> None:
    # 750: capacity (strong) 750 × .2 × 1.2 = 180; engines 150; oxygen 120; meaning 90; opt. 120
    result = evaluate(answers(experience=Experience.SOME, health=Strength.VERY_STRONG), TODAY)
    assert result.xp.categories == CategoryXP(180, 150, 120, 90, 120)


def test_scale_down_to_exactly_the_overall() -> None:
    # 3,000 all strong: 720, 900, 720, 540, 720 = 3,600 → × 5/6 = 600, 750, 600, 450, 600
    result = evaluate(answers(experience=Experience.VERY_EXPERIENCED, **ALL_STRONG), TODAY)
    assert result.xp.categories == CategoryXP(600, 750, 600, 450, 600)


@pytest.mark.parametrize(
    ("experience", "areas", "categories"),
    [
        # 750 all strong: 180, 225, 180, 135, 180 = 900 > 750 → × 750/900 = 150, 187.5, 150,
        # 112.5, 150. Floors sum to 749; the one unit left goes to the largest remainder, and
        # engines and meaning tie at .5: engines comes first in category order → 188, 112.
        # Naive rounding half away would give 150, 188, 150, 113, 150 = 751, more than 750.
        (Experience.SOME, ALL_STRONG, CategoryXP(150, 188, 150, 112, 150)),
        # 3,000 with capacity, oxygen and optionality strong: 720, 600, 720, 360, 720 = 3,120 →
        # × 3000/3120 = 692.31, 576.92, 692.31, 346.15, 692.31. Floors sum to 2,998; the two
        # units left go to engines (.92), then to capacity, first in category order of the
        # three tied at .31. Naive rounding gives 692, 577, 692, 346, 692 = 2,999, one short.
        (
            Experience.VERY_EXPERIENCED,
            {"health": Strength.STRONG, "months_saved": Decimal(3), "options": 3},
            CategoryXP(693, 577, 692, 346, 692),
        ),
    ],
    ids=["750-all-strong", "3000-three-strong"],
)
def test_scale_down_uses_largest_remainders_ties_in_category_order(
    experience: Experience, areas: dict[str, object], categories: CategoryXP
) -> None:
    """§10: when the category XP sums to more than overall, each part is scaled proportionally
    and floored, and the parts with the largest fractional remainders (ties in category order:
    capacity, engines, oxygen, meaning, optionality) get +1 until they sum to overall."""
    result = evaluate(answers(experience=experience, **areas), TODAY)
    assert result.xp.categories == categories
    assert sum(result.xp.categories.as_dict().values()) == result.xp.overall


def test_apply_once() -> None:
    state = apply_questionnaire(PlayerState.new(date(2025, 3, 1)), answers(), today=TODAY)
    assert state.questionnaire_done
    assert (state.season, state.season_started_on) == (Season.AUTUMN, TODAY)
    assert state.clouds.capacity == 40
    with pytest.raises(QuestionnaireAlreadyDone) as refused:
        apply_questionnaire(state, answers(), today=TODAY)
    assert refused.value.code == "questionnaire_done"


def test_out_of_range_answers_are_clamped() -> None:
    result = evaluate(answers(months_saved=Decimal(500), income_sources=0, options=99), TODAY)
    assert result.resources.oxygen == 120
    assert result.clouds.engines == 40
    assert result.clouds.optionality == 85
