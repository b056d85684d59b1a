"""Loadouts (§13): the five presets a player is born with, custom sets, one active at a time.

Reading loadouts writes nothing: the presets exist from the player's creation on (`add_presets`,
in the same transaction), so opening the Loadouts page never changes what a later action yields.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select, update

from lifeworld.accounts.models import User
from lifeworld.db.scope import Scope
from lifeworld.errors import InvalidField
from lifeworld.game.errors import PresetLocked
from lifeworld.game.loadouts import (
    ITEMS,
    ITEMS_BY_ID,
    Item,
    Slot,
    loadout_power,
    missing_presets,
    preset_slots,
    resolve,
    summed_benefits,
)
from lifeworld.loadouts.models import Loadout
from lifeworld.loadouts.schemas import ItemOut, LoadoutIn, LoadoutOut, LoadoutPatch
from lifeworld.players import state_cache
from lifeworld.players.context import open_player


def item_out(item: Item) -> ItemOut:
    return ItemOut(
        id=item.id,
        name=item.name,
        slot=item.slot,
        power=item.power,
        benefits=item.benefits.as_dict(),
    )


def catalogue(slot: Slot | None) -> list[ItemOut]:
    return [item_out(i) for i in ITEMS if slot is None or i.slot is slot]


def _items(slots: dict[str, str]) -> dict[Slot, Item]:
    return resolve({Slot(k): v for k, v in slots.items()})


def loadout_out(row: Loadout) -> LoadoutOut:
    items = _items(row.slots)
    return LoadoutOut(
        id=row.id,
        name=row.name,
        preset=row.preset_id is not None,
        preset_id=row.preset_id,
        active=row.active,
        slots={slot: item_out(items[slot]) if slot in items else None for slot in Slot},
        power=loadout_power(items),
        benefits=summed_benefits(items.values()).as_dict(),
        created_at=row.created_at,
    )


def _clean(slots: dict[Slot, str | None]) -> dict[str, str]:
    """Validate item ids against their slots and keep the filled ones (422 when wrong)."""
    chosen = {slot: item for slot, item in slots.items() if item}
    for slot, item_id in chosen.items():
        item = ITEMS_BY_ID.get(item_id or "")
        if item is None:
            raise InvalidField(f"slots.{slot.value}", f"There is no item {item_id!r}.")
        if item.slot is not slot:
            raise InvalidField(
                f"slots.{slot.value}", f"{item.name} goes in the {item.slot.value} slot."
            )
    return {slot.value: item for slot, item in chosen.items() if item}


def add_presets(
    scope: Scope,
    *,
    user_id: int,
    now: datetime,
    have: Iterable[str | None] = (),
    has_active: bool = False,
) -> list[Loadout]:
    """Add the presets the player lacks (`have`: preset ids it holds), The Balanced active when
    no loadout is (`game.loadouts.missing_presets`); the caller's transaction writes them."""
    rows = [
        Loadout(
            user_id=user_id,
            name=preset.name,
            preset_id=preset.id,
            active=active,
            slots=preset_slots(preset),
            created_at=now,
        )
        for preset, active in missing_presets(have, has_active=has_active)
    ]
    scope.session.add_all(rows)
    return rows


async def list_loadouts(scope: Scope, *, user: User, now: datetime) -> list[LoadoutOut]:
    """The player's loadouts, presets first (they are the oldest); a read: it writes nothing."""
    await open_player(scope, user=user, now=now, for_update=False)
    rows = await scope.session.scalars(
        select(Loadout).where(Loadout.user_id == user.id).order_by(Loadout.id)
    )
    return [loadout_out(r) for r in rows]


async def create(scope: Scope, *, user: User, now: datetime, body: LoadoutIn) -> LoadoutOut:
    await open_player(scope, user=user, now=now)
    row = Loadout(
        user_id=user.id,
        name=body.name,
        preset_id=None,
        active=False,
        slots=_clean(body.slots),
        created_at=now,
    )
    scope.session.add(row)
    await scope.session.flush()
    return loadout_out(row)


async def patch(
    scope: Scope, *, user: User, now: datetime, loadout_id: int, body: LoadoutPatch
) -> LoadoutOut:
    ctx = await open_player(scope, user=user, now=now)
    row = await scope.owned(Loadout, loadout_id, user_id=user.id, missing="No such loadout.")
    if row.preset_id is not None:
        raise PresetLocked()
    if body.name is not None:
        row.name = body.name
    if body.slots is not None:
        merged: dict[Slot, str | None] = {Slot(k): v for k, v in row.slots.items()}
        merged.update(body.slots)
        row.slots = _clean(merged)
    await scope.session.flush()
    if row.active:
        state_cache.forget(ctx.scope, ctx.user.id)
    return loadout_out(row)


async def delete(scope: Scope, *, user: User, now: datetime, loadout_id: int) -> None:
    ctx = await open_player(scope, user=user, now=now)
    row = await scope.owned(Loadout, loadout_id, user_id=user.id, missing="No such loadout.")
    if row.preset_id is not None:
        raise PresetLocked()
    if row.active:
        state_cache.forget(ctx.scope, ctx.user.id)
    await scope.session.delete(row)


async def activate(scope: Scope, *, user: User, now: datetime, loadout_id: int) -> LoadoutOut:
    """Make this loadout the only active one; its bonuses apply to activities from now on."""
    ctx = await open_player(scope, user=user, now=now)
    row = await scope.owned(Loadout, loadout_id, user_id=user.id, missing="No such loadout.")
    await scope.session.execute(
        update(Loadout).where(Loadout.user_id == user.id, Loadout.active).values(active=False)
    )
    await scope.session.flush()
    row.active = True
    await scope.session.flush()
    await scope.session.refresh(row)
    state_cache.forget(ctx.scope, ctx.user.id)
    return loadout_out(row)
