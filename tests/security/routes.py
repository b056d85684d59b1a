"""Every route of the app, discovered from the app itself so a new route is covered by default."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, get_args

from fastapi.routing import iter_route_contexts

from lifeworld.accounts.deps import AdminUser, PrincipalDep
from lifeworld.app import create_app
from lifeworld.settings import Settings

AUTHENTICATE = get_args(PrincipalDep)[1].dependency
ADMIN_ONLY = get_args(AdminUser)[1].dependency
PARAM = re.compile(r"{([a-z_]+)(?::[a-z_]+)?}")


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # the template, e.g. /api/v1/me/engines/{engine_id}
    signed_in: bool
    admin_only: bool

    @property
    def params(self) -> tuple[str, ...]:
        return tuple(PARAM.findall(self.path))

    @property
    def is_api(self) -> bool:
        return self.path.startswith("/api/")

    def url(self, **values: Any) -> str:
        return PARAM.sub(lambda m: str(values[m.group(1)]), self.path)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _calls(dependant: Any) -> set[Any]:
    found = set()
    for sub in dependant.dependencies:
        found.add(sub.call)
        found |= _calls(sub)
    return found


def discover() -> list[Route]:
    """Every (method, path) the app answers, with whether it needs a signed-in (admin) caller."""
    settings = Settings(env="test", secret_key="x" * 40)  # type: ignore[arg-type]
    app = create_app(settings, database_url="postgresql://nobody@127.0.0.1:1/unused")
    routes = []
    for context in iter_route_contexts(app.router.routes):
        if context.path is None or not context.methods:
            continue
        dependant = getattr(context.original_route, "dependant", None)
        calls = _calls(dependant) if dependant is not None else set()
        for method in sorted(context.methods - {"HEAD"}):
            routes.append(Route(method, context.path, AUTHENTICATE in calls, ADMIN_ONLY in calls))
    return routes


ROUTES = discover()
