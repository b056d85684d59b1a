"""Rebalancing advice for the practice portfolio (GAME_RULES.md §15)."""
