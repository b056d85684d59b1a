"""A player's stored game state: one row per user, read and written as `game.state.PlayerState`."""
