"""Energy, sleep and boosts (GAME_RULES.md §11)."""
