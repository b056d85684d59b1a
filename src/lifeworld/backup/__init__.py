"""Whole-database backups: `lifeworld backup create|restore|list` and the daily schedule."""
