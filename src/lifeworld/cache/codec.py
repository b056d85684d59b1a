"""Small JSON helpers: the cache holds bytes, most callers hold dicts."""

from __future__ import annotations

import json
from typing import Any


def dumps(value: Any) -> bytes:
    """Compact UTF-8 JSON bytes."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def loads(data: bytes) -> Any:
    """Parse JSON bytes; ValueError when they are not JSON."""
    return json.loads(data)
