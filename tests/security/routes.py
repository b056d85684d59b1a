"""Every route of the app, discovered from the app itself so a new route is covered by default."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, get_args

from lifeworld.accounts.deps import AdminUser, OwnerUser, PrincipalDep
from lifeworld.app import create_app
from lifeworld.internals import route_contexts
from lifeworld.settings import Settings
from lifeworld.web.deps import AdminFormViewer

AUTHENTICATE = get_args(PrincipalDep)[1].dependency
# The API's admin check and the pages' (a form an admin sends).
ADMIN_ONLY = {get_args(AdminUser)[1].dependency, get_args(AdminFormViewer)[1].dependency}
# The instance owner's check (an admin of the household that set the instance up).
OWNER_ONLY = get_args(OwnerUser)[1].dependency
PARAM = re.compile(r"{([a-z_]+)(?::[a-z_]+)?}")


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # the template, e.g. /api/v1/me/engines/{engine_id}
    signed_in: bool
    admin_only: bool
    owner_only: bool = False

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


def _app() -> Any:
    settings = Settings(env="test", secret_key="x" * 40)  # type: ignore[arg-type]
    return create_app(settings, database_url="postgresql://nobody@127.0.0.1:1/unused")


def openapi() -> dict[str, Any]:
    """The app's OpenAPI document."""
    document: dict[str, Any] = _app().openapi()
    return document


def discover() -> list[Route]:
    """Every (method, path) the app answers, with whether it needs a signed-in (admin) caller."""
    app = _app()
    routes = []
    for context in route_contexts(app.router.routes):
        if context.path is None or not context.methods:
            continue
        dependant = getattr(context.original_route, "dependant", None)
        calls = _calls(dependant) if dependant is not None else set()
        for method in sorted(context.methods - {"HEAD"}):
            routes.append(
                Route(
                    method,
                    context.path,
                    AUTHENTICATE in calls,
                    bool(ADMIN_ONLY & calls),
                    OWNER_ONLY in calls,
                )
            )
    return routes


ROUTES = discover()


def _is_free_text(schema: dict[str, Any]) -> bool:
    options = schema.get("anyOf", [schema])
    if any(o.get("type") in ("number", "integer") for o in options):
        return False  # an exact decimal, sent as a number or a string
    return any(
        o.get("type") == "string" and not ({"enum", "format", "pattern", "const"} & set(o))
        for o in options
    )


def free_text_fields() -> dict[str, set[str]]:
    """Per operation, the request body's top-level strings that take any text."""
    document = openapi()
    components = document.get("components", {}).get("schemas", {})
    found: dict[str, set[str]] = {}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            content = operation.get("requestBody", {}).get("content", {})
            schema = content.get("application/json", {}).get("schema", {})
            for option in schema.get("anyOf", [schema]):
                ref = option.get("$ref", "")
                body = components.get(ref.rsplit("/", 1)[-1], option) if ref else option
                names = {n for n, s in body.get("properties", {}).items() if _is_free_text(s)}
                if names:
                    found.setdefault(f"{method.upper()} {path}", set()).update(names)
    return found
