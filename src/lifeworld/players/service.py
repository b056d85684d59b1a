"""Creating players and reading what the household may see of each other."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from lifeworld.accounts.models import Household, User
from lifeworld.accounts.schemas import HouseholdDetailOut, MemberOut
from lifeworld.game.days import game_day
from lifeworld.game.ranks import overall_level, rank_for
from lifeworld.game.state import PlayerState
from lifeworld.players.mapping import row_values
from lifeworld.players.models import Player


async def create_player(session: AsyncSession, *, user: User, now: datetime) -> Player:
    """The starting state of GAME_RULES.md §1 for a new account."""
    today = game_day(now, user.timezone, user.day_start_hour)
    player = Player(
        user_id=user.id,
        household_id=user.household_id,
        version=1,
        **row_values(PlayerState.new(today, now)),
    )
    session.add(player)
    await session.flush()
    return player


async def household_detail(session: AsyncSession, *, user: User) -> HouseholdDetailOut:
    """The household and, of each member, only rank, level and season."""
    household = await session.get(Household, user.household_id)
    assert household is not None
    rows = await session.execute(
        select(User, Player)
        .join(Player, Player.user_id == User.id)
        .where(User.household_id == user.household_id)
        .order_by(User.id)
    )
    members = [
        MemberOut(
            id=member.id,
            username=member.username,
            display_name=member.display_name,
            rank=rank_for(player.xp_overall).name,
            level=overall_level(player.xp_overall),
            season=player.season,
            is_admin=member.is_admin,
        )
        for member, player in rows
    ]
    return HouseholdDetailOut(
        id=household.id, name=household.name, timezone=household.timezone, members=members
    )
