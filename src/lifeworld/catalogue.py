"""Loading the game catalogue (training modules and tasks, loadout items) into the database."""

from __future__ import annotations


def sync_catalogue(url: str) -> str:
    """Insert or update the catalogue rows idempotently; a short summary, empty if unchanged."""
    return ""
