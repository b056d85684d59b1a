"""The game catalogue in the database: training modules and tasks, loadout items and presets.

The rules read the catalogue from `lifeworld.game` (pure data in code); these tables hold the
same data so stored rows can reference it (a completed task must name a real task) and so
outside tools can read it. `sync_catalogue` upserts it idempotently: the migration that creates
the tables runs it, and `lifeworld setup` / `serve` run it again to pick up changed texts.
"""

from lifeworld.catalogue.sync import sync_catalogue, sync_on

__all__ = ["sync_catalogue", "sync_on"]
