"""Imports every table so `Base.metadata` is complete (for Alembic and tests)."""

from lifeworld.accounts import models as accounts_models  # noqa: F401
from lifeworld.activities import models as activities_models  # noqa: F401
from lifeworld.admin import models as admin_models  # noqa: F401
from lifeworld.cache import models as cache_models  # noqa: F401
from lifeworld.catalogue import models as catalogue_models  # noqa: F401
from lifeworld.db.base import Base
from lifeworld.energy import models as energy_models  # noqa: F401
from lifeworld.engines import models as engines_models  # noqa: F401
from lifeworld.idempotency import models as idempotency_models  # noqa: F401
from lifeworld.investments import models as investments_models  # noqa: F401
from lifeworld.loadouts import models as loadouts_models  # noqa: F401
from lifeworld.ops import models as ops_models  # noqa: F401
from lifeworld.places import models as places_models  # noqa: F401
from lifeworld.players import models as players_models  # noqa: F401
from lifeworld.rebalancing import models as rebalancing_models  # noqa: F401
from lifeworld.seasons import models as seasons_models  # noqa: F401
from lifeworld.training import models as training_models  # noqa: F401
from lifeworld.web import models as web_models  # noqa: F401

metadata = Base.metadata
