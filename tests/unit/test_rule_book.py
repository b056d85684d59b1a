"""The project's rule book, docs/GAME_RULES.md: every section the code and docs cite exists,
and the repository points to it, never to a rule book outside the repository."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RULE_BOOK = ROOT / "docs" / "GAME_RULES.md"
CITATION = re.compile(r"GAME_RULES\.md\)?,? §(\d+(?:\.\d+)?)")
HEADING = re.compile(r"^#{2,3} (\d+(?:\.\d+)?)\.? ", re.M)
OUTSIDE = re.compile(r"\.\./shared|shared/spec")


def _files() -> list[Path]:
    found = [ROOT / "README.md", ROOT / "CHANGELOG.md", ROOT / "QUICK_START_MVP.md"]
    for folder, pattern in (
        ("src", "*.py"),
        ("src", "*.html"),
        ("docs", "*.md"),
        ("tests", "*.py"),
    ):
        found.extend(sorted((ROOT / folder).rglob(pattern)))
    return [p for p in found if p.is_file()]


def test_every_cited_section_exists() -> None:
    sections = set(HEADING.findall(RULE_BOOK.read_text()))
    assert {str(n) for n in range(1, 18)} <= sections
    missing = {
        f"{path.relative_to(ROOT)}: §{cited}"
        for path in _files()
        for cited in CITATION.findall(path.read_text())
        if cited not in sections
    }
    assert not missing, sorted(missing)


def test_nothing_points_outside_the_repository() -> None:
    this = Path(__file__).resolve()
    outside = [
        str(p.relative_to(ROOT)) for p in _files() if p != this and OUTSIDE.search(p.read_text())
    ]
    assert outside == []
