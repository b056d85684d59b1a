"""Upserting the catalogue from `lifeworld.game` into its tables."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, create_engine, text

from lifeworld.db.urls import sqlalchemy_url
from lifeworld.game.loadouts import ITEMS, PRESETS
from lifeworld.game.resources import ResourceChanges
from lifeworld.game.training_catalogue import MODULES


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def _reward(reward: ResourceChanges) -> str:
    values = {k: _plain(getattr(reward, k)) for k in ("oxygen", "water", "gold", "armor", "keys")}
    return json.dumps({k: v for k, v in values.items() if v is not None})


def _rows() -> dict[str, list[dict[str, Any]]]:
    return {
        "training_modules": [
            {
                "id": m.id,
                "position": m.order,
                "title": m.title,
                "description": m.description,
                "required_rank": m.required_rank.value,
                "required_tasks": m.required_tasks,
                "main_category": m.main_category.value,
            }
            for m in MODULES
        ],
        "training_tasks": [
            {
                "id": t.id,
                "module_id": t.module_id,
                "position": t.order,
                "title": t.title,
                "description": t.description,
                "reward": _reward(t.reward),
            }
            for m in MODULES
            for t in m.tasks
        ],
        "loadout_items": [
            {
                "id": i.id,
                "slot": i.slot.value,
                "name": i.name,
                "power": i.power,
                "benefits": json.dumps({k: _plain(v) for k, v in i.benefits.as_dict().items()}),
            }
            for i in ITEMS
        ],
        "loadout_presets": [
            {"id": p.id, "name": p.name, "items": json.dumps(list(p.item_ids))} for p in PRESETS
        ],
    }


_JSON_COLUMNS = frozenset({"reward", "benefits", "items"})


def sync_on(conn: Connection) -> int:
    """Insert or update every catalogue row on `conn`; returns how many rows changed."""
    changed = 0
    for table, rows in _rows().items():
        columns = list(rows[0])
        values = ", ".join(
            f"CAST(:{c} AS jsonb)" if c in _JSON_COLUMNS else f":{c}" for c in columns
        )
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c != "id")
        differs = " OR ".join(f"{table}.{c} IS DISTINCT FROM EXCLUDED.{c}" for c in columns)
        statement = text(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({values}) "
            f"ON CONFLICT (id) DO UPDATE SET {updates} WHERE {differs}"
        )
        for row in rows:
            changed += conn.execute(statement, row).rowcount
    return changed


def sync_catalogue(url: str) -> str:
    """Sync the catalogue into the database at `url`; a summary, empty when nothing changed."""
    engine = create_engine(sqlalchemy_url(url))
    try:
        with engine.begin() as conn:
            changed = sync_on(conn)
    finally:
        engine.dispose()
    return f"{changed} rows updated" if changed else ""
