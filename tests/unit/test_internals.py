"""The framework internals the app uses are all there in the installed releases, and a missing
one is reported with the framework, its version and the name (lifeworld/internals.py)."""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path

import pytest

from lifeworld import internals
from lifeworld.internals import InternalsMoved

SRC = Path(internals.__file__).parent


def test_every_internal_name_is_in_the_installed_frameworks() -> None:
    found = internals.problems()
    assert found == [], "\n".join(found)


def test_a_moved_name_is_reported_with_the_framework_version_and_name() -> None:
    with pytest.raises(InternalsMoved) as caught:
        internals._take("fastapi", "fastapi.routing", "no_such_internal")
    message = str(caught.value)
    assert f"fastapi {version('fastapi')}" in message
    assert "fastapi.routing.no_such_internal" in message
    assert "requirements/app.txt" in message


def test_a_probe_that_fails_is_listed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(internals, "DEPENDANT_FIELDS", (*internals.DEPENDANT_FIELDS, "gone_field"))
    found = internals.problems()
    assert len(found) == 1
    assert "fastapi" in found[0] and "APIRoute.dependant" in found[0] and "gone_field" in found[0]


# Private names of the frameworks: a leading underscore after `fastapi.`, `starlette.` or
# `sqlalchemy.`, an underscore attribute of a router, or the names below.
_PRIVATE = re.compile(
    r"\b(fastapi|starlette|sqlalchemy)(\.\w+)*\._\w+"
    r"|\._mark_routes_changed|\.middleware_stack|_sa_class_manager|\.form_limits"
    r"|iter_route_contexts|\.dependant\b|from fastapi\.routing import .*request_response"
)


def test_no_module_but_the_shim_reaches_into_the_frameworks() -> None:
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        if path.name == "internals.py":
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if _PRIVATE.search(line):
                offenders.append(f"{path.relative_to(SRC)}:{number}: {line.strip()}")
    assert offenders == [], "use lifeworld/internals.py:\n" + "\n".join(offenders)
