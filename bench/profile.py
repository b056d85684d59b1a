"""py-spy attached to the server during a measured run, and what its samples say."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Frame:
    name: str
    self_pct: float  # of all samples, spent in this frame itself
    total_pct: float  # of all samples, with this frame anywhere on the stack


def py_spy() -> str | None:
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else shutil.which("py-spy")


def start(pid: int, seconds: int, out: Path) -> subprocess.Popen[bytes] | None:
    """Record `pid` for `seconds` into `out` (raw collapsed stacks); None without py-spy."""
    exe = py_spy()
    if exe is None:
        return None
    return subprocess.Popen(
        [exe, "record", "-p", str(pid), "-d", str(seconds), "-r", "200", "--nonblocking",
         "-f", "raw", "-o", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip


def summarise(collapsed: str, top: int = 15) -> list[Frame]:
    """The frames with the most samples (self time first) from collapsed stacks
    ("outer;inner;leaf <count>" per line)."""
    own: Counter[str] = Counter()
    anywhere: Counter[str] = Counter()
    total = 0
    for line in collapsed.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        total += count
        own[frames[-1]] += count
        for name in set(frames):
            anywhere[name] += count
    if total == 0:
        return []
    return [
        Frame(name, 100 * n / total, 100 * anywhere[name] / total)
        for name, n in own.most_common(top)
    ]


def cumulative(collapsed: str, needle: str) -> float:
    """The percentage of samples with a frame containing `needle` on the stack."""
    hits = total = 0
    for line in collapsed.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        total += int(count_text)
        if needle in stack:
            hits += int(count_text)
    return 100 * hits / total if total else 0.0
