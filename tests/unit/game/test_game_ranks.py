"""§5 ranks, levels and category balance."""

import pytest

from lifeworld.game.balance import balance_report
from lifeworld.game.ranks import (
    Rank,
    category_level,
    overall_level,
    progress_pct,
    rank_for,
    rank_status,
    xp_for_next,
)
from lifeworld.game.state import Category, CategoryXP

THRESHOLDS = [
    (Rank.RECRUIT, 0),
    (Rank.PRIVATE, 1_000),
    (Rank.CORPORAL, 5_000),
    (Rank.SERGEANT, 10_000),
    (Rank.STAFF_SERGEANT, 20_000),
    (Rank.SERGEANT_FIRST_CLASS, 35_000),
    (Rank.MASTER_SERGEANT, 55_000),
    (Rank.FIRST_SERGEANT, 80_000),
    (Rank.SERGEANT_MAJOR, 110_000),
    (Rank.COMMAND_SERGEANT_MAJOR, 150_000),
]


@pytest.mark.parametrize(
    ("index", "rank", "threshold"), [(i, r, t) for i, (r, t) in enumerate(THRESHOLDS)]
)
def test_rank_thresholds(index: int, rank: Rank, threshold: int) -> None:
    assert rank.threshold == threshold
    assert rank_for(threshold) is rank
    if index:
        assert rank_for(threshold - 1) is THRESHOLDS[index - 1][0]
    if index + 1 < len(THRESHOLDS):
        assert xp_for_next(threshold) == THRESHOLDS[index + 1][1] - threshold


def test_rank_order() -> None:
    assert [r for r, _ in THRESHOLDS] == list(Rank)
    assert Rank.PRIVATE.at_least(Rank.RECRUIT)
    assert not Rank.RECRUIT.at_least(Rank.PRIVATE)


def test_xp_for_next() -> None:
    assert xp_for_next(0) == 1_000
    assert xp_for_next(999) == 1
    assert xp_for_next(149_999) == 1
    assert xp_for_next(150_000) is None
    assert xp_for_next(900_000) is None


@pytest.mark.parametrize(
    ("xp", "pct"),
    [
        (0, 0.0),
        (500, 50.0),  # 500 / 1,000
        (1_000, 0.0),
        (7_500, 50.0),  # 2,500 / 5,000
        (1_333, 8.3),  # 333 / 4,000 = 8.325 %
        (12_345, 23.5),  # 2,345 / 10,000 = 23.45 % → half away
        (149_999, 100.0),  # 39,999 / 40,000 = 99.9975 %
        (150_000, 100.0),
        (400_000, 100.0),
    ],
)
def test_progress_pct(xp: int, pct: float) -> None:
    assert progress_pct(xp) == pct


@pytest.mark.parametrize(
    ("xp", "level"), [(0, 1), (4_999, 1), (5_000, 2), (12_345, 3), (150_000, 31)]
)
def test_overall_level(xp: int, level: int) -> None:
    assert overall_level(xp) == level


@pytest.mark.parametrize(("xp", "level"), [(0, 1), (999, 1), (1_000, 2), (25_500, 26)])
def test_category_level(xp: int, level: int) -> None:
    assert category_level(xp) == level


def _xp_for_levels(*levels: int) -> CategoryXP:
    return CategoryXP(*((level - 1) * 1_000 for level in levels))


def test_balanced_when_all_equal() -> None:
    report = balance_report(CategoryXP())
    assert report.balanced
    assert report.average_level == 1.0
    assert report.warnings == []


def test_exactly_ten_below_the_mean_is_not_flagged() -> None:
    # levels 1, 13, 13, 14, 14: mean 11, the first is exactly 10 below
    report = balance_report(_xp_for_levels(1, 13, 13, 14, 14))
    assert report.balanced
    assert report.average_level == 11.0


def test_more_than_ten_below_the_mean_is_flagged() -> None:
    # levels 1, 13, 14, 14, 14: mean 11.2, capacity is 10.2 below
    report = balance_report(_xp_for_levels(1, 13, 14, 14, 14))
    assert not report.balanced
    assert report.average_level == pytest.approx(11.2)
    [warning] = report.warnings
    assert warning.category is Category.CAPACITY
    assert warning.level == 1
    assert "health, energy and resilience" in warning.recommendation


@pytest.mark.parametrize(
    ("category", "word"),
    [
        (Category.ENGINES, "income"),
        (Category.OXYGEN, "sav"),
        (Category.MEANING, "values"),
        (Category.OPTIONALITY, "skills"),
    ],
)
def test_each_category_has_its_recommendation(category: Category, word: str) -> None:
    levels = {c: 20 for c in Category}
    levels[category] = 1  # 19 below the others; mean 16.2
    xp = CategoryXP(**{c.value: (lvl - 1) * 1_000 for c, lvl in levels.items()})
    [warning] = balance_report(xp).warnings
    assert warning.category is category
    assert word in warning.recommendation.lower()


def test_rank_status() -> None:
    status = rank_status(12_345)
    assert (status.rank, status.level, status.xp_for_next, status.progress_pct) == (
        Rank.SERGEANT,
        3,
        7_655,
        23.5,
    )
