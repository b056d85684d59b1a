"""The practice portfolio funded by gold (GAME_RULES.md §14)."""
