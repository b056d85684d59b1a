"""Invite codes without look-alike characters, typed in any case, at least as strong as before."""

from __future__ import annotations

from lifeworld.accounts import invite_codes


def test_codes_use_no_look_alike_characters() -> None:
    seen = set()
    for _ in range(300):
        code = invite_codes.new_code()
        assert len(code) == invite_codes.LENGTH
        seen.update(code)
    assert not seen & set("01ILOUilou")
    assert seen <= set(invite_codes.ALPHABET)


def test_codes_are_at_least_as_strong_as_the_old_ones() -> None:
    assert invite_codes.BITS >= invite_codes.LEGACY_BITS
    assert len(set(invite_codes.ALPHABET)) == len(invite_codes.ALPHABET) == 30


def test_grouped_for_reading() -> None:
    assert invite_codes.grouped("K7QM3XPD9RTWH4CE") == "K7QM-3XPD-9RTW-H4CE"


def test_typing_ignores_case_spaces_and_dashes() -> None:
    code = "K7QM3XPD9RTWH4CE"
    for typed in (
        "k7qm-3xpd-9rtw-h4ce",
        " K7QM 3XPD 9RTW H4CE ",
        "k7qm3xpd9rtwh4ce",
        "K7QM-3XPD 9rtw-H4CE",
    ):
        assert invite_codes.canonical(typed) == code


def test_old_codes_are_looked_up_as_typed() -> None:
    assert invite_codes.canonical("  aB3-xY_9zQ1w ") == "aB3-xY_9zQ1w"
    assert invite_codes.canonical("aB3dxY_9zQ1w") == "aB3dxY_9zQ1w"
