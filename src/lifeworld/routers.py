"""Every router of the app, listed once, in the order requests try them.

Routes are matched in order, one regular expression each: the API's busiest routes first, the
pages (fewer requests, each far costlier to render) after them. The OpenAPI document lists the
API in this order too.
"""

from __future__ import annotations

from fastapi import APIRouter


def routers(*, testing: bool) -> list[APIRouter]:
    """The app's routers; `testing` adds `PUT /api/v1/testing/clock` (LIFEWORLD_ENV=test only)."""
    from lifeworld.accounts import api as accounts
    from lifeworld.accounts import care_views as care_pages
    from lifeworld.accounts import members_views as members_pages
    from lifeworld.accounts import settings_views as settings_pages
    from lifeworld.accounts import views as accounts_pages
    from lifeworld.activities import api as activities
    from lifeworld.activities import views as activities_pages
    from lifeworld.admin import api as admin
    from lifeworld.admin import views as admin_pages
    from lifeworld.connect import views as connect_pages
    from lifeworld.energy import api as energy
    from lifeworld.energy import views as energy_pages
    from lifeworld.engines import api as engines
    from lifeworld.engines import views as engines_pages
    from lifeworld.guide import views as guide_pages
    from lifeworld.investments import api as investments
    from lifeworld.investments import views as investments_pages
    from lifeworld.loadouts import api as loadouts
    from lifeworld.loadouts import views as loadouts_pages
    from lifeworld.ops import api as ops
    from lifeworld.ops import health
    from lifeworld.ops import testing as testing_clock
    from lifeworld.ops import views as ops_pages
    from lifeworld.places import api as places
    from lifeworld.places import views as places_pages
    from lifeworld.players import api as players
    from lifeworld.players import views as players_pages
    from lifeworld.portability import api as portability
    from lifeworld.rebalancing import api as rebalancing
    from lifeworld.rebalancing import views as rebalancing_pages
    from lifeworld.seasons import api as seasons
    from lifeworld.seasons import views as seasons_pages
    from lifeworld.today import views as today_pages
    from lifeworld.training import api as training
    from lifeworld.training import views as training_pages
    from lifeworld.web import api_docs, shell

    api = [
        health.router,
        # the game's JSON API (API.md "The game" and "Admin")
        players.router,
        activities.router,
        seasons.router,
        engines.router,
        energy.router,
        training.router,
        loadouts.router,
        investments.router,
        rebalancing.router,
        admin.router,
        admin.household_router,
        portability.router,
        accounts.router,
        places.router,
        ops.router,
        *([testing_clock.router] if testing else []),
    ]
    pages = [
        shell.router,  # the service worker, the offline page, the favicon
        api_docs.router,
        players_pages.router,
        guide_pages.router,
        activities_pages.router,
        seasons_pages.router,
        energy_pages.router,
        training_pages.router,
        loadouts_pages.router,
        investments_pages.router,
        rebalancing_pages.router,
        engines_pages.router,
        places_pages.router,
        admin_pages.router,
        accounts_pages.router,
        members_pages.router,  # the forms of Settings, before its catch-all address
        care_pages.router,
        settings_pages.router,
        today_pages.router,
        ops_pages.router,
        connect_pages.router,  # Connect a phone: reachable over plain HTTP too
    ]
    return api + pages
