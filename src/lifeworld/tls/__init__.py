"""HTTPS at home: the home certificate authority, the server's certificate, and the listener
that serves TLS and plain HTTP on one port (README "HTTPS at home")."""
