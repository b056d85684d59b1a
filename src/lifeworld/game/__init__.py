"""The rule book, docs/GAME_RULES.md, as pure, typed functions over plain data.

A "GAME_RULES.md §N" in a docstring anywhere in the code names a section of that file.

Nothing in this package touches a database, the network, the clock or a web framework:
services load a player's state, call these rules, and store what they return.
"""
