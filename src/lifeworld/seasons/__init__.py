"""Seasons of life and their history (GAME_RULES.md §7)."""
