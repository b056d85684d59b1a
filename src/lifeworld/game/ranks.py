"""Ranks and levels derived from XP (GAME_RULES.md §5)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from lifeworld.game.rounding import quantize

OVERALL_XP_PER_LEVEL = 5_000
CATEGORY_XP_PER_LEVEL = 1_000


class Rank(StrEnum):
    """Ranks in ascending order; compare with `order` or `at_least`."""

    RECRUIT = "RECRUIT"
    PRIVATE = "PRIVATE"
    CORPORAL = "CORPORAL"
    SERGEANT = "SERGEANT"
    STAFF_SERGEANT = "STAFF_SERGEANT"
    SERGEANT_FIRST_CLASS = "SERGEANT_FIRST_CLASS"
    MASTER_SERGEANT = "MASTER_SERGEANT"
    FIRST_SERGEANT = "FIRST_SERGEANT"
    SERGEANT_MAJOR = "SERGEANT_MAJOR"
    COMMAND_SERGEANT_MAJOR = "COMMAND_SERGEANT_MAJOR"

    @property
    def threshold(self) -> int:
        """Overall XP at which this rank begins."""
        return RANK_THRESHOLDS[self]

    @property
    def order(self) -> int:
        """Position in the rank order, RECRUIT = 0."""
        return RANKS.index(self)

    def at_least(self, other: Rank) -> bool:
        """True when this rank is `other` or higher."""
        return self.order >= other.order


RANKS: tuple[Rank, ...] = tuple(Rank)
RANK_THRESHOLDS: dict[Rank, int] = {
    Rank.RECRUIT: 0,
    Rank.PRIVATE: 1_000,
    Rank.CORPORAL: 5_000,
    Rank.SERGEANT: 10_000,
    Rank.STAFF_SERGEANT: 20_000,
    Rank.SERGEANT_FIRST_CLASS: 35_000,
    Rank.MASTER_SERGEANT: 55_000,
    Rank.FIRST_SERGEANT: 80_000,
    Rank.SERGEANT_MAJOR: 110_000,
    Rank.COMMAND_SERGEANT_MAJOR: 150_000,
}


def rank_for(xp: int) -> Rank:
    """The highest rank whose threshold is ≤ xp (RECRUIT for anything below 1,000)."""
    found = Rank.RECRUIT
    for rank in RANKS:
        if RANK_THRESHOLDS[rank] <= xp:
            found = rank
    return found


def next_rank(xp: int) -> Rank | None:
    """The rank after the current one, None at the top."""
    index = rank_for(xp).order
    return RANKS[index + 1] if index + 1 < len(RANKS) else None


def xp_for_next(xp: int) -> int | None:
    """XP still needed for the next rank, None at the top."""
    upcoming = next_rank(xp)
    return None if upcoming is None else upcoming.threshold - max(xp, 0)


def progress_pct(xp: int) -> float:
    """Progress through the current rank in percent, one decimal (half away), 100.0 at the top."""
    current, upcoming = rank_for(xp), next_rank(xp)
    if upcoming is None:
        return 100.0
    done = Decimal(max(xp, 0) - current.threshold) * 100
    return float(quantize(done / (upcoming.threshold - current.threshold), Decimal("0.1")))


def overall_level(xp: int) -> int:
    """floor(overall XP / 5,000) + 1."""
    return max(xp, 0) // OVERALL_XP_PER_LEVEL + 1


def category_level(xp: int) -> int:
    """floor(category XP / 1,000) + 1."""
    return max(xp, 0) // CATEGORY_XP_PER_LEVEL + 1


@dataclass(frozen=True, slots=True)
class RankStatus:
    rank: Rank
    level: int
    xp_for_next: int | None
    progress_pct: float


def rank_status(xp: int) -> RankStatus:
    """Rank, overall level, XP to the next rank and progress, as the dashboard shows them."""
    return RankStatus(rank_for(xp), overall_level(xp), xp_for_next(xp), progress_pct(xp))
