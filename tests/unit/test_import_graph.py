"""The shape of the house: no import circles between the app's modules, the rules import only
the standard library, and the lower layers never import the higher ones (STYLE.md, habit 13).

Every import counts, also one inside a function or under `TYPE_CHECKING`: a circle hidden that
way is still two responsibilities in the wrong place.
"""

from __future__ import annotations

import ast
import sys
from functools import cache
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"


@cache
def modules() -> dict[str, Path]:
    found = {}
    for path in (SRC / "lifeworld").rglob("*.py"):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _owner(name: str) -> str | None:
    """The module of the app a dotted name belongs to (the longest one that exists)."""
    while name:
        if name in modules():
            return name
        name = name.rpartition(".")[0]
    return None


@cache
def imports() -> dict[str, frozenset[str]]:
    """Each module of the app → the modules of the app it imports, anywhere in the file."""
    graph = {}
    for module, path in modules().items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*up, base] if base else up)
                named = [f"{base}.{a.name}" for a in node.names]
                # `from package import module` depends on that module, not on the package
                found.update(n for n in named if n in modules())
                if any(n not in modules() for n in named):
                    found.add(base)
        graph[module] = frozenset(
            owner for name in found if (owner := _owner(name)) is not None and owner != module
        )
    return graph


def _circles() -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    graph, index, low, stack, on, groups = imports(), {}, {}, [], set(), []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for module in sorted(graph):
        if module not in index:
            visit(module)
    return groups


def test_no_module_imports_itself_around_a_circle() -> None:
    circles = _circles()
    assert circles == [], "import circles:\n" + "\n".join(" <-> ".join(c) for c in circles)


def test_the_circle_finder_finds_a_circle(monkeypatch: pytest.MonkeyPatch) -> None:
    graph = dict(imports())
    graph["lifeworld.errors"] = graph["lifeworld.errors"] | {"lifeworld.middleware"}
    monkeypatch.setattr(sys.modules[__name__], "imports", lambda: graph)
    assert ["lifeworld.errors", "lifeworld.middleware"] in _circles()


def test_the_rules_import_only_the_standard_library() -> None:
    for module, path in modules().items():
        if not module.startswith("lifeworld.game"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                assert top in sys.stdlib_module_names or name.startswith("lifeworld.game"), (
                    f"{module} imports {name}"
                )


# A lower layer never imports a higher one (db/models.py gathers every table for Alembic, by
# design, and is imported by nothing of db/ itself). The request's unit of work is composed in
# db/: its `Database` holds the player store and its `Scope` carries the cache.
GATHERERS = frozenset({"lifeworld.db.models"})
COMPOSES = {
    "lifeworld.db.session": ("lifeworld.players.store", "lifeworld.cache"),
    "lifeworld.db.scope": ("lifeworld.players.store", "lifeworld.cache"),
}
LOWER_LAYERS = {
    "lifeworld.db": ("lifeworld.players", "lifeworld.accounts", "lifeworld.web", "lifeworld.cache"),
    "lifeworld.cache": ("lifeworld.players", "lifeworld.accounts", "lifeworld.web"),
    "lifeworld.errors": ("lifeworld.",),
}


@pytest.mark.parametrize("lower", sorted(LOWER_LAYERS))
def test_a_lower_layer_imports_no_higher_one(lower: str) -> None:
    allowed_self = lower + "."
    offenders = [
        f"{module} imports {target}"
        for module, targets in imports().items()
        if (module == lower or module.startswith(allowed_self)) and module not in GATHERERS
        for target in targets
        if target.startswith(LOWER_LAYERS[lower])
        and not (target == lower or target.startswith(allowed_self))
        and target != "lifeworld.game.errors"
        and not target.startswith(COMPOSES.get(module, ("-",)))
    ]
    assert offenders == []


LONGEST = 420  # lines: past ~400 a module is doing two jobs (issue 22); split it by what it serves
ONE_OFF = "db/migrations/versions/"  # a migration is written once and never read in a request


def test_no_module_is_much_over_four_hundred_lines() -> None:
    long = {
        name: lines
        for name, path in modules().items()
        if ONE_OFF not in path.as_posix()
        and (lines := len(path.read_text().splitlines())) > LONGEST
    }
    assert long == {}, f"modules over {LONGEST} lines: split them by the job each part does"
