"""Database access: the schema base, engines and sessions, the embedded server, migrations."""
