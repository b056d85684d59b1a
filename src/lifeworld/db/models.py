"""Imports every table so `Base.metadata` is complete (for Alembic and tests)."""

from lifeworld.accounts import models as accounts_models  # noqa: F401
from lifeworld.db.base import Base
from lifeworld.players import models as players_models  # noqa: F401

metadata = Base.metadata
