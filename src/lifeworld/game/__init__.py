"""The rule book of GAME_RULES.md as pure, typed functions over plain data.

Nothing in this package touches a database, the network, the clock or a web framework:
services load a player's state, call these rules, and store what they return.
"""
