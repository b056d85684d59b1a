"""Imports every table so `Base.metadata` is complete (for Alembic and tests)."""

from lifeworld.accounts import models as accounts_models  # noqa: F401
from lifeworld.cache import models as cache_models  # noqa: F401
from lifeworld.db.base import Base
from lifeworld.places import models as places_models  # noqa: F401
from lifeworld.players import models as players_models  # noqa: F401

metadata = Base.metadata
