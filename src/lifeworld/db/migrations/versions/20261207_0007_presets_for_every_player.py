"""presets for every player (GAME_RULES.md §13: a player is born with the five presets)

Players made before this revision got their presets only when someone first read the Loadouts
page, and until then played without The Balanced's bonuses. This gives every player each preset
it lacks, as the app now makes them at birth; The Balanced is active only when the player has no
active loadout (a loadout the player chose stays active). Rows that exist are never changed.

The presets are written out here as they were when this revision was made, so a later change
of the catalogue in `lifeworld.game.loadouts` cannot change what this revision did.

Revision ID: 0007
Revises: 0006
Created: 2026-12-07 06:00:00.000000
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SLOTS = ("PRIMARY", "SECONDARY", "GRENADE", "ARMOR_ABILITY", "TACTICAL", "SUPPORT")
PRESETS = (  # id, name, items in slot order; the first is The Balanced
    ("the-balanced", "The Balanced",
     ("resilience", "patience", "quick-recovery", "regeneration", "synergy", "balance")),
    ("the-warrior", "The Warrior",
     ("determination", "courage", "momentum-shift", "shield", "optimization", "motivation")),
    ("the-strategist", "The Strategist",
     ("focus", "adaptability", "energy-boost", "fortification", "efficiency", "clarity")),
    ("the-guardian", "The Guardian",
     ("resilience", "patience", "quick-recovery", "fortification", "synergy", "balance")),
    ("the-explorer", "The Explorer",
     ("discipline", "courage", "momentum-shift", "shield", "optimization", "clarity")),
)  # fmt: skip

# One statement: its snapshot is taken before it inserts, so "has an active loadout" is read
# from the rows as they were. ORDER BY gives each player's presets ids in book order.
ADD_MISSING = sa.text(
    """
    INSERT INTO loadouts (user_id, name, preset_id, active, slots, created_at)
    SELECT p.user_id, v.name, v.preset_id,
           v.position = 1 AND NOT EXISTS (
               SELECT 1 FROM loadouts a WHERE a.user_id = p.user_id AND a.active
           ),
           CAST(v.slots AS jsonb), now()
    FROM players AS p
    CROSS JOIN jsonb_to_recordset(CAST(:presets AS jsonb))
        AS v(position integer, preset_id text, name text, slots text)
    WHERE NOT EXISTS (
        SELECT 1 FROM loadouts l WHERE l.user_id = p.user_id AND l.preset_id = v.preset_id
    )
    ORDER BY p.user_id, v.position
    """
)


def upgrade() -> None:
    presets = [
        {
            "position": position,
            "preset_id": preset_id,
            "name": name,
            "slots": json.dumps(dict(zip(SLOTS, items, strict=True))),
        }
        for position, (preset_id, name, items) in enumerate(PRESETS, start=1)
    ]
    op.get_bind().execute(ADD_MISSING, {"presets": json.dumps(presets)})


def downgrade() -> None:
    """Leaves the presets in place: nothing to undo in the schema, and no way to undo the data.

    The rows the upgrade added cannot be told apart from the presets the app made before it
    (same names, items and flags; only `created_at` differs, and that is no mark), so removing
    "only those it added" is impossible and removing all presets would destroy players' own
    choices (which preset is active). The previous release reads them as it reads presets it
    made itself: it creates presets only for a player who has none. An upgrade after this
    downgrade finds every preset present and adds nothing.
    """
