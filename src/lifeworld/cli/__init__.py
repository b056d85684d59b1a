"""The `lifeworld` command: setup, serve, db, user … (Typer + rich)."""

from __future__ import annotations

import sys

from lifeworld.cli.main import app


def main() -> None:
    """Entry point of the console script."""
    app(prog_name="lifeworld")


if __name__ == "__main__":  # pragma: no cover
    main()
    sys.exit(0)
