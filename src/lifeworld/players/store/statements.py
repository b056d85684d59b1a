"""The store's SQL: the player's row with the facts the rules read beside it, the lock, the
write of a state with its activity and milestones, and their PREPAREd forms."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from psycopg import sql as pgsql
from psycopg.types.json import Jsonb
from sqlalchemy import ARRAY, BigInteger, Select, and_, any_, bindparam, func, select
from sqlalchemy.dialects import postgresql

from lifeworld.engines.models import Engine
from lifeworld.loadouts.models import Loadout
from lifeworld.players.models import MilestoneRecord, Player

_DIALECT = postgresql.psycopg.dialect()  # type: ignore[no-untyped-call]
COLUMNS = tuple(column.name for column in Player.__table__.columns)
_MILESTONE_COLUMNS = ", ".join(column.name for column in MilestoneRecord.__table__.columns)


@dataclass(frozen=True)
class PlayerRow:
    """The stored player with the facts the rules read beside it (one statement)."""

    values: dict[str, Any]  # column name → value, as stored
    active_engines: int
    achieved: tuple[str, ...]
    loadout_id: int | None
    loadout_name: str | None
    loadout_slots: dict[str, str] | None

    @property
    def version(self) -> int:
        return int(self.values["version"])

    @property
    def last_rolled_day(self) -> date:
        return self.values["last_rolled_day"]  # type: ignore[no-any-return]


def player_row(row: tuple[Any, ...]) -> PlayerRow:
    n = len(COLUMNS)
    engines, achieved, loadout_id, loadout_name, slots = row[n:]
    return PlayerRow(
        values=dict(zip(COLUMNS, row[:n], strict=True)),
        active_engines=int(engines or 0),
        achieved=tuple(achieved or ()),
        loadout_id=loadout_id,
        loadout_name=loadout_name,
        loadout_slots=slots,
    )


def _query(*, for_update: bool, many: bool = False) -> Select[Any]:
    active_engines = (
        select(func.count())
        .where(Engine.user_id == Player.user_id, Engine.status == "ACTIVE")
        .scalar_subquery()
    )
    achieved = (
        select(func.array_agg(MilestoneRecord.type))
        .where(MilestoneRecord.user_id == Player.user_id)
        .scalar_subquery()
    )
    stmt = (
        select(*Player.__table__.columns, active_engines, achieved)
        .add_columns(Loadout.id, Loadout.name, Loadout.slots)
        .outerjoin(Loadout, and_(Loadout.user_id == Player.user_id, Loadout.active))
    )
    if many:
        stmt = stmt.where(Player.user_id == any_(bindparam("user_ids", type_=ARRAY(BigInteger))))
    else:
        stmt = stmt.where(Player.user_id == bindparam("user_id"))
    return stmt.with_for_update(of=Player.__table__) if for_update else stmt


@cache
def sql(kind: str) -> tuple[str, dict[str, Any]]:
    """A statement's SQL text, compiled once for psycopg, and the values of its literals:
    "read", "read_many" (by `user_ids`), "read_locked", "lock", "lock_read" (both at once)."""
    if kind == "lock_read":
        # The lock is a statement of its own, before the read (both go in one round trip): a
        # statement sees what was committed when it began, and had the read waited for the
        # lock itself its subqueries (milestones, active engines) would miss what the
        # transaction it waited for had just committed.
        lock_sql, _ = sql("lock")
        read_sql, literals = sql("read_locked")
        return f"{lock_sql}; {read_sql}", literals
    if kind == "lock":
        lock = select(Player.user_id).where(Player.user_id == bindparam("user_id"))
        return _compiled(lock.with_for_update())
    return _compiled(_query(for_update=kind == "read_locked", many=kind == "read_many"))


def _compiled(stmt: Any) -> tuple[str, dict[str, Any]]:
    compiled = stmt.compile(dialect=_DIALECT)
    keys = ("user_id", "user_ids")
    return str(compiled), {k: v for k, v in compiled.params.items() if k not in keys}


RECENT_ACTIVITIES = (
    "SELECT day, type, energy_used FROM activities WHERE user_id = %(user_id)s AND day >= %(since)s"
)


@cache
def write_sql(names: tuple[str, ...], activity: tuple[str, ...], milestones: bool) -> str:
    """The state's columns `names` (and the version), the activity's columns if any, and the
    milestones if any, written by one statement."""
    # One JSON document per row, spread into typed columns by PostgreSQL: psycopg converts a
    # query of more than 50 parameters anew on every call.
    assignments = ", ".join(f"{name} = v.{name}" for name in (*names, "version"))
    update = (
        f"UPDATE players p SET {assignments} "
        "FROM jsonb_populate_record(NULL::players, %(state)s) v WHERE p.user_id = %(user_id)s"
    )
    # Data-modifying WITHs all run, whether or not the rest of the statement reads them.
    awarded = (
        f"INSERT INTO milestones ({_MILESTONE_COLUMNS}) SELECT {_MILESTONE_COLUMNS} "
        "FROM jsonb_populate_recordset(NULL::milestones, %(milestones)s)"
    )
    if not activity:
        return f"WITH saved AS ({update}) {awarded}" if milestones else update
    columns = ", ".join(activity)
    before = f"saved AS ({update})" + (f", awarded AS ({awarded})" if milestones else "")
    return (
        f"WITH {before} INSERT INTO activities ({columns}) SELECT {columns} "
        "FROM jsonb_populate_record(NULL::activities, %(activity)s) RETURNING id"
    )


def as_json(values: object) -> Jsonb:
    """Column values as a JSON object: decimals, dates and times as their exact text."""
    return Jsonb(values, dumps=_dumps)


def _dumps(obj: object) -> str:
    return json.dumps(obj, default=str, separators=(",", ":"))


@dataclass(frozen=True)
class Prepared:
    """A statement PREPAREd by name on a write pool's connection: planned once per connection,
    where the simple query protocol (which lets BEGIN and COMMIT ride along in one round trip)
    would plan it anew every time."""

    name: str
    body: str  # the statement, its parameters as $1, $2, ... in the order of `params`
    params: tuple[str, ...]

    def execute_sql(self) -> str:
        args = ", ".join(f"%({p})s" for p in self.params)
        return f"EXECUTE {self.name}({args})"


_PREPARED_NAMES: dict[str, str] = {}  # body → name, the same on every connection


def _prepared(text: str, params: tuple[str, ...], literals: dict[str, Any]) -> Prepared:
    body = text
    for n, name in enumerate(params, 1):
        body = body.replace(f"%({name})s", f"${n}")
    for name, value in literals.items():
        body = body.replace(f"%({name})s", pgsql.Literal(value).as_string(None))
    assert "%" not in body, "every placeholder is replaced (and no % is left to unescape)"
    name = _PREPARED_NAMES.setdefault(body, f"lifeworld_{len(_PREPARED_NAMES) + 1}")
    return Prepared(name, body, params)


@cache
def prepared_read() -> tuple[Prepared, Prepared]:
    """The lock and the locked read, PREPAREd."""
    lock_sql, _ = sql("lock")
    read_sql, literals = sql("read_locked")
    return _prepared(lock_sql, ("user_id",), {}), _prepared(read_sql, ("user_id",), literals)


@cache
def prepared_write(names: tuple[str, ...], activity: tuple[str, ...], milestones: bool) -> Prepared:
    """`write_sql`, PREPAREd."""
    params = ("state", "user_id", *(("activity",) if activity else ()))
    params += ("milestones",) if milestones else ()
    return _prepared(write_sql(names, activity, milestones), params, {})
