"""Life World OS: a self-hosted, gamified life operating system for a household."""

__version__ = "0.2.0"
