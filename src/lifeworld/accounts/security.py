"""The instance's secrets at work: keyed digests of the tokens we hand out, and passwords.

Passwords are hashed with Argon2id by `security.passwords` (`accounts/passwords.py`), off the
event loop.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field

from argon2 import PasswordHasher, Type

from lifeworld.accounts.passwords import Passwords
from lifeworld.settings import Environment, Settings

TEST_SECRET = "lifeworld-test-secret-not-for-production-use"


@dataclass
class Security:
    """Hashes passwords and digests tokens with the instance's secret key."""

    secret: bytes
    passwords: Passwords = field(default_factory=lambda: Passwords(PasswordHasher(type=Type.ID)))
    # The HMAC keyed once: every request digests its token, and a copy of a keyed HMAC is
    # cheaper than keying a new one.
    _keyed: hmac.HMAC = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._keyed = hmac.new(self.secret, digestmod=hashlib.sha256)

    @classmethod
    def from_settings(cls, settings: Settings) -> Security:
        secret = settings.secret_key.get_secret_value() or TEST_SECRET
        if settings.env is Environment.TEST:
            # Still Argon2id, with light parameters so a test suite can sign in hundreds of times.
            light = PasswordHasher(time_cost=1, memory_cost=8192, type=Type.ID)
            return cls(secret.encode(), Passwords(light))
        return cls(secret.encode())

    def digest(self, token: str) -> bytes:
        """The keyed digest stored in place of a token (sessions, API tokens, invite codes)."""
        mac = self._keyed.copy()
        mac.update(token.encode())
        return mac.digest()


def new_token(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
