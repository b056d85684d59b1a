"""The web pages: templates, static files, page auth, forms and the app shell (PWA)."""
