"""Connect a phone: the page that gets a phone to trust this server (plain HTTP allowed)."""
