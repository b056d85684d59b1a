"""Income engines (GAME_RULES.md §9)."""
