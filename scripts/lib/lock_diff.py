"""Print how the packages of this Python differ from a lock file (test.sh --latest):
`python scripts/lib/lock_diff.py requirements/dev.txt`."""

from __future__ import annotations

import re
import sys
from importlib.metadata import distributions

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def main(lock_path: str) -> None:
    locked = {}
    with open(lock_path, encoding="utf-8") as lock:
        for line in lock:
            match = PIN.match(line)
            if match:
                locked[canonical(match[1])] = match[2]
    installed = {canonical(d.metadata["Name"]): d.version for d in distributions()}
    newer = sorted(
        f"  {name}: {locked[name]} (locked) -> {version}"
        for name, version in installed.items()
        if name in locked and locked[name] != version
    )
    added = sorted(f"  {name} {v} (not in the lock)" for name, v in installed.items()
                   if name not in locked and name != "lifeworld")  # fmt: skip
    if not newer and not added:
        print(f"  every package is at its version in {lock_path}")
        return
    print(f"  differences from {lock_path}:")
    print("\n".join(newer + added))


if __name__ == "__main__":
    main(sys.argv[1])
