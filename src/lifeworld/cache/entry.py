"""One cached value with its expiry and tags, and the checked byte frame shared tiers store."""

from __future__ import annotations

import struct
import zlib
from typing import NamedTuple

from lifeworld.cache.errors import CorruptEntry

FRAME_VERSION = 1
_HEADER = struct.Struct(">BIdH")  # version, crc32 of the rest, expires_at (epoch s), tags length
TAG_SEPARATOR = "\x1f"


class Entry(NamedTuple):
    """A named tuple: the memory tier keeps it as a plain tuple (see memory.py)."""

    value: bytes
    expires_at: float  # seconds since the epoch, on the app's clock
    tags: tuple[str, ...] = ()


def encode(entry: Entry) -> bytes:
    """The entry as version + crc32 + expiry + tags + value, so damaged bytes are detected."""
    tags = TAG_SEPARATOR.join(entry.tags).encode()
    rest = struct.pack(">dH", entry.expires_at, len(tags)) + tags + entry.value
    return struct.pack(">BI", FRAME_VERSION, zlib.crc32(rest)) + rest


def decode(data: bytes) -> Entry:
    """The entry inside `data`; CorruptEntry when the frame or its checksum is wrong."""
    if len(data) < _HEADER.size:
        raise CorruptEntry("too short")
    version, crc, expires_at, tag_len = _HEADER.unpack_from(data)
    if version != FRAME_VERSION or zlib.crc32(memoryview(data)[5:]) != crc:
        raise CorruptEntry("bad frame")
    start = _HEADER.size
    try:
        tag_text = data[start : start + tag_len].decode()
    except UnicodeDecodeError as exc:
        raise CorruptEntry("bad tags") from exc
    tags = tuple(tag_text.split(TAG_SEPARATOR)) if tag_text else ()
    return Entry(value=data[start + tag_len :], expires_at=expires_at, tags=tags)
