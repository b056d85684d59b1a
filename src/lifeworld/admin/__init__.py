"""Household admin: setting a member's figures directly, with an audit log (GAME_RULES.md §17)."""
