"""`Idempotency-Key` for unsafe API requests: a retried request records once (docs in API.md)."""
