"""One version everywhere: the package, the changelog, and the images the deployments pull."""

from __future__ import annotations

import re
from pathlib import Path

from lifeworld import __version__

ROOT = Path(__file__).resolve().parents[2]


def test_the_changelog_has_a_section_for_this_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert re.search(
        rf"^## \[{re.escape(__version__)}\] - \d{{4}}-\d{{2}}-\d{{2}}$", changelog, re.M
    )
    assert "## [Unreleased]" in changelog


def test_the_deployments_pull_this_version() -> None:
    compose = (ROOT / "deploy/compose/compose.yaml").read_text()
    assert f"lifeworld:${{LIFEWORLD_VERSION:-{__version__}}}" in compose
    kustomization = (ROOT / "deploy/kubernetes/base/kustomization.yaml").read_text()
    assert re.search(rf"newTag: \"?{re.escape(__version__)}\"?$", kustomization, re.M)
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert f"lifeworld:{__version__}" in dockerfile


def test_pyproject_takes_the_version_from_the_package() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'dynamic = ["version"]' in pyproject
    assert 'version = { attr = "lifeworld.__version__" }' in pyproject
