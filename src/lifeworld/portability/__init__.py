"""Per-player export and import: one versioned JSON document (docs/EXPORT_FORMAT.md)."""
