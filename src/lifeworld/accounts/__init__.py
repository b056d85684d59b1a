"""Households, players' accounts, sessions, API tokens, invites and login throttling."""
