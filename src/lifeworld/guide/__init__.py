"""The "How the game works" page: the rule book in plain words (docs/GAME_RULES.md)."""
