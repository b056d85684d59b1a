"""Loading a player for a request: lock, lazy day rollover, and what the rules need to act.

Every read or write of a player's game state goes through `open_player` (GAME_RULES.md §6):
it runs the rollover first, replaying every missed day in one transaction with a constant
number of round trips (one SELECT of the player, one of the recent activities, one UPDATE).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from lifeworld.accounts.models import User
from lifeworld.db.scope import Scope
from lifeworld.errors import NotFound
from lifeworld.game.days import day_start, game_day
from lifeworld.game.instants import shifted_day
from lifeworld.game.loadouts import NO_BONUSES, LoadoutBonuses, Slot, resolve, summed_benefits
from lifeworld.game.milestones import Milestone, MilestoneAward
from lifeworld.game.rollover import DayActivity, RolloverEvent, roll_over
from lifeworld.game.state import ActivityType, PlayerState
from lifeworld.players import state_cache
from lifeworld.players.mapping import row_values, to_state

# Hooks other parts of the app register (metrics of rollovers).
RolloverListener = Callable[[int, int, list[RolloverEvent]], None]
rollover_listeners: list[RolloverListener] = []


@dataclass
class ActiveLoadout:
    id: int
    name: str
    bonuses: LoadoutBonuses


@dataclass
class PlayerContext:
    """A player's row and rolled-over state, with the facts the rules take as inputs."""

    scope: Scope
    user: User
    version: int  # the stored row's, bumped by every save
    state: PlayerState
    today: date
    now: datetime
    active_engines: int
    achieved: frozenset[Milestone]
    loadout: ActiveLoadout | None
    locked: bool
    days_rolled: int = 0
    events: list[RolloverEvent] = field(default_factory=list)
    awarded: list[dict[str, object]] = field(default_factory=list)  # the next save writes them

    @property
    def bonuses(self) -> LoadoutBonuses:
        return self.loadout.bonuses if self.loadout else NO_BONUSES

    async def save(
        self,
        state: PlayerState,
        *,
        activity: dict[str, object] | None = None,
        last: bool = False,
    ) -> int | None:
        """Store a new state for this player, the activity row if given (its id is returned)
        and the milestones recorded since the last save, in one statement; the request commits
        it. `last`: the request writes nothing after this (see `PlayerAccess.write`)."""
        assert self.locked, "open the player with for_update=True before changing it"
        session = self.scope.session
        if session.new or session.dirty or session.deleted:
            await session.flush()  # what the service added with it gets its id, as callers expect
        self.version += 1
        values = {**row_values(state), "updated_at": self.now}
        awarded, self.awarded = self.awarded, []
        saved = await self.scope.players.write(
            self.user.id, values, self.version, activity, awarded, last=last
        )
        self.state = state
        state_cache.forget(self.scope, self.user.id)
        return saved

    def record_milestones(self, awards: tuple[MilestoneAward, ...]) -> None:
        """Milestones reached: written by the next `save`, with the state they belong to."""
        for award in awards:
            self.awarded.append(
                {
                    "user_id": self.user.id,
                    "type": award.milestone.value,
                    "keys": award.keys,
                    "achieved_at": self.now,
                }
            )
        self.achieved = self.achieved | {a.milestone for a in awards}


def today_for(user: User, now: datetime) -> date:
    """The player's current game day."""
    return game_day(now, user.timezone, user.day_start_hour)


def _bonuses(slots: dict[str, str]) -> LoadoutBonuses:
    items = resolve({Slot(k): v for k, v in slots.items()})
    return summed_benefits(items.values()).bonuses()


async def open_player(
    scope: Scope,
    *,
    user: User,
    now: datetime,
    for_update: bool = True,
    direct: bool = False,
) -> PlayerContext:
    """The player's state rolled over to today; locked for the transaction when `for_update`.

    A read (for_update=False) that finds missed days re-reads the row under the lock before
    rolling, so concurrent requests and app instances never apply a day twice. `direct`: the
    caller writes only through this context, so the transaction may run on a connection of
    its own (see `PlayerAccess.read`).
    """
    row = await scope.players.read(user.id, locked=for_update, direct=direct)
    if row is None:
        raise NotFound("This account has no player.")
    today = today_for(user, now)
    if not for_update and today > row.last_rolled_day:
        return await open_player(scope, user=user, now=now, for_update=True)
    ctx = PlayerContext(
        scope=scope,
        user=user,
        version=row.version,
        state=to_state(row.values),
        today=today,
        now=now,
        active_engines=row.active_engines,
        achieved=frozenset(Milestone(m) for m in row.achieved),
        loadout=ActiveLoadout(
            row.loadout_id, row.loadout_name or "", _bonuses(row.loadout_slots or {})
        )
        if row.loadout_id is not None
        else None,
        locked=for_update,
    )
    if today > ctx.state.last_rolled_day:
        await _roll(ctx)
    # After a move westwards the local date can be behind the open day: the open day stands.
    ctx.today = max(today, ctx.state.last_rolled_day)
    return ctx


async def _roll(ctx: PlayerContext) -> None:
    since = shifted_day(ctx.state.last_rolled_day, -7)
    rows = await ctx.scope.players.recent_activities(ctx.user.id, since)
    recent = [DayActivity(day, ActivityType(kind), energy) for day, kind, energy in rows]
    started = day_start(ctx.today, ctx.user.timezone, ctx.user.day_start_hour)
    result = roll_over(
        ctx.state,
        today=ctx.today,
        recent_activities=recent,
        active_engines=ctx.active_engines,
        day_started_at=started,
    )
    ctx.days_rolled, ctx.events = result.days_applied, list(result.events)
    await ctx.save(result.state)
    for listener in rollover_listeners:
        listener(ctx.user.id, result.days_applied, ctx.events)
