"""Loadouts: presets and custom sets of items (GAME_RULES.md §13)."""
