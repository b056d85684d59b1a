"""Creating players and reading what the household may see of each other."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from lifeworld.accounts import households
from lifeworld.accounts.models import Household, User
from lifeworld.accounts.schemas import HouseholdDetailOut, MemberOut
from lifeworld.db.scope import Scope
from lifeworld.game.days import game_day
from lifeworld.game.errors import QuestionnaireAlreadyDone
from lifeworld.game.questionnaire import Answers, apply_questionnaire
from lifeworld.game.ranks import overall_level, rank_for
from lifeworld.game.state import PlayerState
from lifeworld.loadouts.service import add_presets
from lifeworld.players import state_cache
from lifeworld.players.context import open_player
from lifeworld.players.mapping import row_values
from lifeworld.players.models import MilestoneRecord, Player, QuestionnaireRecord
from lifeworld.players.schemas import MilestoneOut, QuestionnaireIn, StateOut
from lifeworld.players.state_document import build_state, valid_until


async def create_player(scope: Scope, *, user: User, now: datetime) -> Player:
    """The starting state of GAME_RULES.md §1 for a new account, born whole: with the five
    loadout presets of §13, The Balanced active, in the same transaction."""
    today = game_day(now, user.timezone, user.day_start_hour)
    player = Player(
        user_id=user.id,
        household_id=user.household_id,
        version=1,
        **row_values(PlayerState.new(today, now)),
    )
    scope.session.add(player)
    add_presets(scope, user_id=user.id, now=now)
    await scope.session.flush()
    return player


async def household_detail(scope: Scope, *, user: User) -> HouseholdDetailOut:
    """The household and, of each member, only rank, level and season."""
    household = await scope.session.get(Household, user.household_id)
    assert household is not None
    rows = await scope.session.execute(
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
        id=household.id,
        name=household.name,
        timezone=household.timezone,
        currency=household.currency,
        members=members,
    )


async def get_state(scope: Scope, *, user: User, now: datetime) -> StateOut:
    """The dashboard state, after the day rollover."""
    ctx = await open_player(scope, user=user, now=now, for_update=False)
    return build_state(ctx)


async def answer_questionnaire(
    scope: Scope, *, user: User, now: datetime, answers: QuestionnaireIn
) -> StateOut:
    """Apply the onboarding questionnaire once (§10)."""
    ctx = await open_player(scope, user=user, now=now)
    if ctx.state.questionnaire_done:
        raise QuestionnaireAlreadyDone()
    parsed = Answers(**answers.model_dump())
    await ctx.save(apply_questionnaire(ctx.state, parsed, today=ctx.today))
    scope.session.add(
        QuestionnaireRecord(
            user_id=user.id, answers=answers.model_dump(mode="json"), completed_at=now
        )
    )
    return build_state(ctx)


async def list_milestones(scope: Scope, *, user: User, now: datetime) -> list[MilestoneOut]:
    await open_player(scope, user=user, now=now, for_update=False)
    rows = await scope.session.scalars(
        select(MilestoneRecord)
        .where(MilestoneRecord.user_id == user.id)
        .order_by(MilestoneRecord.achieved_at, MilestoneRecord.type)
    )
    return [MilestoneOut(type=r.type, achieved_at=r.achieved_at, keys=r.keys) for r in rows]


async def update_profile(
    scope: Scope,
    *,
    user: User,
    now: datetime,
    timezone: str | None,
    day_start_hour: int | None,
    display_name: str | None,
) -> User:
    """Change name, timezone or day-start hour, closing the days of the old clock first.

    Rolling over before the change means a move never replays or skips a day: days already
    closed stay closed (the rollover only moves forward), missed ones are applied once.
    """
    ctx = await open_player(scope, user=user, now=now)
    updated = await households.update_profile(
        scope,
        user=user,
        timezone=timezone,
        day_start_hour=day_start_hour,
        display_name=display_name,
    )
    state_cache.forget(ctx.scope, ctx.user.id)
    return updated


async def state_json(scope: Scope, *, user: User, now: datetime) -> bytes:
    """`GET /api/v1/me/state` as JSON bytes, from this process's memory while still exact."""
    cached = await state_cache.recall(scope, user.id, now)
    if cached is not None:
        return cached
    ctx = await open_player(scope, user=user, now=now, for_update=False)
    built = build_state(ctx)
    body = built.model_dump_json().encode()
    if ctx.days_rolled == 0:  # a state this request rolled over is not committed yet
        ttl = min(state_cache.STATE_TTL_S, (valid_until(ctx, built) - now).total_seconds())
        await state_cache.remember(scope, user.id, built, body, ttl=ttl)
    return body
