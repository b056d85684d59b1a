"""The training center (GAME_RULES.md §12)."""
