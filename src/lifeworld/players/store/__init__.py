"""One seam for player persistence: `PlayerStore` (held by `Database`) and, per request, the
`PlayerAccess` the request's scope carries. Everything else of a player's row goes through
`players/context.py`'s `open_player`, which uses this."""

from lifeworld.players.store.statements import PlayerRow
from lifeworld.players.store.store import PlayerAccess, PlayerStore, StatementTimer

__all__ = ["PlayerAccess", "PlayerRow", "PlayerStore", "StatementTimer"]
