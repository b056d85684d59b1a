"""Logging activities, previews and the history (GAME_RULES.md §3)."""
