"""Invite codes a person can read aloud and type: no look-alike characters, grouped, any case.

A code is 16 characters from 30 (digits 2–9 and the letters without I, L, O and U), shown in
four groups of four (`K7QM-3XPD-9RTW-H4CE`): about 78.5 bits, more than the 72 of the 12-character
URL-safe codes made before. Typing ignores case, spaces and dashes. Codes made before keep
working: anything that is not a code of this shape is looked up exactly as typed (trimmed).
"""

from __future__ import annotations

import math
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 16
GROUP = 4
BITS = LENGTH * math.log2(len(ALPHABET))
LEGACY_BITS = 12 * 6  # secrets.token_urlsafe(9): 12 characters of 64

_SEPARATORS = str.maketrans("", "", " -\t")


def new_code() -> str:
    """A fresh code in its canonical form (upper case, no dashes)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def grouped(code: str) -> str:
    """The code as people read it: groups of four joined by dashes."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def canonical(typed: str) -> str:
    """What is looked up for a typed code: a new-style code without case or separators, else
    the typed text trimmed (the codes made before are case-sensitive)."""
    compact = typed.translate(_SEPARATORS).upper()
    if len(compact) == LENGTH and all(c in ALPHABET for c in compact):
        return compact
    return typed.strip()
