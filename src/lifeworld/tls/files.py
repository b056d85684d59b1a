"""Where the home's TLS files live, and writing them atomically (private keys 0600)."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class TlsPaths:
    """The files under `<data dir>/tls`: the CA's certificate and key, the server's."""

    directory: Path

    @classmethod
    def under(cls, data_dir: Path) -> TlsPaths:
        return cls(Path(data_dir).resolve() / "tls")

    @property
    def ca_cert(self) -> Path:
        return self.directory / "home-ca.crt"

    @property
    def ca_key(self) -> Path:  # never served, never exported
        return self.directory / "home-ca.key"

    @property
    def cert(self) -> Path:
        return self.directory / "server.crt"

    @property
    def key(self) -> Path:
        return self.directory / "server.key"

    def make_directory(self) -> None:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.directory, 0o700)


def write_atomically(path: Path, data: bytes, *, mode: int) -> None:
    """Write `data` to a new file beside `path` with `mode` from its creation, then rename it
    over `path`: a reader sees the old file or the new one, never half of one, and a private
    key is never readable by others, not even for a moment."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
