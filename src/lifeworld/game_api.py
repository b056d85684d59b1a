"""Every router of the game's JSON API (API.md "The game" and "Admin"), in one list."""

from __future__ import annotations

from fastapi import APIRouter


def game_routers() -> list[APIRouter]:
    from lifeworld.activities.api import router as activities
    from lifeworld.admin.api import router as admin
    from lifeworld.energy.api import router as energy
    from lifeworld.engines.api import router as engines
    from lifeworld.investments.api import router as investments
    from lifeworld.loadouts.api import router as loadouts
    from lifeworld.players.api import router as players
    from lifeworld.portability.api import router as portability
    from lifeworld.rebalancing.api import router as rebalancing
    from lifeworld.seasons.api import router as seasons
    from lifeworld.training.api import router as training

    return [
        players,
        activities,
        seasons,
        engines,
        energy,
        training,
        loadouts,
        investments,
        rebalancing,
        admin,
        portability,
    ]
