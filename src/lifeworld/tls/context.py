"""The server's TLS context, loaded from the certificate files and reloaded when they change."""

from __future__ import annotations

import logging
import os
import ssl
import time
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

CHECK_EVERY_S = 5.0  # how often a new connection looks at the files' modification times
# Set by `lifeworld serve` for its workers: the files in use, the home CA's or the user's own
# (not the settings LIFEWORLD_TLS_CERT_FILE/_KEY_FILE, which mean "the user's own").
CERT_ENV = "LIFEWORLD_SERVING_CERT"
KEY_ENV = "LIFEWORLD_SERVING_KEY"


@dataclass(frozen=True)
class CertFiles:
    """The certificate (chain) and private key the server presents."""

    cert: Path
    key: Path

    @classmethod
    def from_environment(cls) -> CertFiles:
        """What `lifeworld serve` put in the workers' environment."""
        cert, key = os.environ.get(CERT_ENV), os.environ.get(KEY_ENV)
        if not cert or not key:
            raise RuntimeError(f"{CERT_ENV} and {KEY_ENV} are unset: start with `lifeworld serve`")
        return cls(Path(cert), Path(key))

    def stamp(self) -> tuple[int, int]:
        return (self.cert.stat().st_mtime_ns, self.key.stat().st_mtime_ns)


def server_context(files: CertFiles) -> ssl.SSLContext:
    """TLS 1.2 and newer, HTTP/1.1 only; raises ssl.SSLError or OSError on bad files."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_alpn_protocols(["http/1.1"])
    context.load_cert_chain(str(files.cert), str(files.key))
    return context


class ReloadingContext:
    """A TLS context that follows its files: a renewed certificate is served to the next
    connections without a restart (connections already open keep the one they started with)."""

    def __init__(self, files: CertFiles) -> None:
        self.files = files
        self._stamp = files.stamp()
        self._context = server_context(files)
        self._checked = time.monotonic()

    def current(self) -> ssl.SSLContext:
        now = time.monotonic()
        if now - self._checked >= CHECK_EVERY_S:
            self._checked = now
            self._reload_if_changed()
        return self._context

    def _reload_if_changed(self) -> None:
        try:
            stamp = self.files.stamp()
            if stamp == self._stamp:
                return
            self._context = server_context(self.files)
            self._stamp = stamp
            log.info("TLS certificate reloaded from %s", self.files.cert)
        except (OSError, ssl.SSLError) as exc:
            # Between the writes of a renewal the key may not match the certificate yet: keep
            # serving the one loaded before and look again at the next check.
            log.warning("keeping the TLS certificate loaded before: %s", exc)
