"""The client's address behind proxies (lifeworld/forwarding.py), case by case."""

from __future__ import annotations

import pytest

from lifeworld.forwarding import InvalidProxyList, TrustedProxies, parse_address, resolve


def _resolve(
    peer: str, trusted: str, *forwarded_for: str, proto: str = ""
) -> tuple[str, str | None]:
    headers = [(b"x-forwarded-for", v.encode()) for v in forwarded_for]
    if proto:
        headers.append((b"x-forwarded-proto", proto.encode()))
    return resolve(peer, headers, TrustedProxies(trusted))


@pytest.mark.parametrize(
    ("written", "address"),
    [
        ("203.0.113.7", "203.0.113.7"),
        (" 203.0.113.7:5123 ", "203.0.113.7"),
        ("2001:DB8:0::1", "2001:db8::1"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("unknown", None),
        ("", None),
        ("203.0.113.7:port", None),
        ("[2001:db8::1]x", None),
        ("[2001:db8::1]:", None),
    ],
)
def test_addresses_are_read_in_one_spelling(written: str, address: str | None) -> None:
    found = parse_address(written)
    assert (str(found) if found else None) == address


@pytest.mark.parametrize(
    ("peer", "trusted", "chain", "client"),
    [
        # Any peer is a proxy: the entry it appended, never one the client wrote before it.
        ("10.0.0.2", "*", ("6.6.6.6, 203.0.113.5",), "203.0.113.5"),
        ("10.0.0.2", "*", ("6.6.6.6", "203.0.113.5"), "203.0.113.5"),
        ("10.0.0.2", "*", (), "10.0.0.2"),
        # Named proxies: walk left past them to the first address that is not one.
        ("127.0.0.1", "127.0.0.1", ("6.6.6.6, 203.0.113.5",), "203.0.113.5"),
        ("127.0.0.1", "127.0.0.1", ("6.6.6.6, 203.0.113.5, 127.0.0.1",), "203.0.113.5"),
        ("10.0.0.2", "10.0.0.0/8", ("6.6.6.6, 203.0.113.5, 10.9.9.9",), "203.0.113.5"),
        # Only proxies in the chain: the left-most (a proxy of ours sent the request itself).
        ("10.0.0.2", "10.0.0.0/8", ("10.1.1.1, 10.2.2.2",), "10.1.1.1"),
        # Not an address: the walk stops at the last address known.
        ("10.0.0.2", "10.0.0.0/8", ("203.0.113.5, garbage, 10.1.1.1",), "10.1.1.1"),
        ("10.0.0.2", "*", ("203.0.113.5, garbage",), "10.0.0.2"),
        # A peer that is not a proxy: its header says nothing.
        ("192.0.2.1", "10.0.0.0/8", ("203.0.113.5",), "192.0.2.1"),
        ("::ffff:192.0.2.1", "10.0.0.0/8", (), "192.0.2.1"),
    ],
)
def test_the_client_is_the_right_most_address_that_is_not_a_proxy(
    peer: str, trusted: str, chain: tuple[str, ...], client: str
) -> None:
    assert _resolve(peer, trusted, *chain)[0] == client


def test_the_scheme_comes_only_from_a_trusted_proxy_and_only_http_or_https() -> None:
    assert _resolve("10.0.0.2", "10.0.0.2", proto="https") == ("10.0.0.2", "https")
    assert _resolve("10.0.0.2", "10.0.0.2", proto="HTTPS") == ("10.0.0.2", "https")
    assert _resolve("10.0.0.2", "10.0.0.2", proto="http, https") == ("10.0.0.2", "https")
    assert _resolve("10.0.0.2", "10.0.0.2", proto="gopher") == ("10.0.0.2", None)
    assert _resolve("10.0.0.3", "10.0.0.2", proto="https") == ("10.0.0.3", None)


def test_a_peer_that_is_not_an_ip_address_is_left_as_it_is() -> None:
    assert _resolve("testclient", "*", "203.0.113.5") == ("testclient", None)


@pytest.mark.parametrize("spec", ["*, 10.0.0.1", "10.0.0.300", "proxy.example.org", "::1/129"])
def test_a_proxy_list_with_something_else_in_it_is_refused(spec: str) -> None:
    with pytest.raises(InvalidProxyList):
        TrustedProxies(spec)
