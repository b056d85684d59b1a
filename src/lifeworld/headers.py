"""The security headers every answer carries (added by `middleware.SecurityHeaders`, and by the
translator to the answers Starlette sends outside every middleware)."""

from __future__ import annotations

# Every answer of the JSON API is kept by no cache, the browser's or a proxy's: most are about
# the signed-in person or household, and one rule without exceptions cannot be got wrong by
# the next route (a health or setup answer from a cache would be stale anyway).
API_PREFIX = "/api/v1/"
NO_STORE = (b"cache-control", b"no-store")

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        b"connect-src 'self'; manifest-src 'self'; worker-src 'self'; object-src 'none'; "
        b"base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
    ),
)


API_HEADERS = (*SECURITY_HEADERS, NO_STORE)


def headers_for(path: str) -> tuple[tuple[bytes, bytes], ...]:
    """The headers an answer to `path` carries unless it sets them itself."""
    return API_HEADERS if path.startswith(API_PREFIX) else SECURITY_HEADERS
