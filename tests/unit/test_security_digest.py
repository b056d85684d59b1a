"""Token digests: HMAC-SHA256 with the instance's secret, the same on every call."""

from __future__ import annotations

from lifeworld.accounts.security import Security


def test_digest_is_hmac_sha256_of_the_token_rfc_4231_case_2() -> None:
    security = Security(b"Jefe")
    expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    assert security.digest("what do ya want for nothing?").hex() == expected


def test_digests_do_not_leak_into_each_other() -> None:
    security = Security(b"k" * 32)
    first = security.digest("a")
    security.digest("b" * 100)
    assert security.digest("a") == first
    assert security.digest("a") != security.digest("b")


def test_the_secret_keys_the_digest() -> None:
    assert Security(b"one" * 11).digest("t") != Security(b"two" * 11).digest("t")
