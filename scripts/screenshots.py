"""Save the README's screenshots (Places, Settings, Today with Undo, How the game works).

    .venv/bin/python scripts/screenshots.py [DIR]     DIR defaults to docs/screenshots

Runs tests/browser/test_screenshots.py, which starts the app on a fresh database as the browser
tests do (the same PostgreSQL: LIFEWORLD_TEST_DATABASE_URL, or the embedded server) and drives
Debian's Chromium; the images are written to DIR with the names the README links.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str]) -> int:
    target = Path(argv[0]) if argv else ROOT / "docs" / "screenshots"
    env = {**os.environ, "LIFEWORLD_SCREENSHOTS": str(target.resolve()), "LIFEWORLD_MDNS": "off"}
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-s",
        "-p",
        "no:cacheprovider",
        str(ROOT / "tests" / "browser" / "test_screenshots.py"),
    ]
    return subprocess.call(command, cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
