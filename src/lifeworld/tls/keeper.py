"""Keeps the server's certificate current while `lifeworld serve` runs: made again when it
nears its end or the machine's addresses change (a laptop on another network)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from lifeworld.tls.authority import HomeAuthority
from lifeworld.tls.files import TlsPaths
from lifeworld.tls.server_cert import Names, ensure_server_certificate

log = logging.getLogger(__name__)

CHECK_EVERY_S = 60.0


class CertificateKeeper:
    """A daemon thread that looks once a minute; the listener reloads what it writes."""

    def __init__(
        self,
        paths: TlsPaths,
        authority: HomeAuthority,
        names: Callable[[], Names],
        *,
        every_s: float = CHECK_EVERY_S,
    ) -> None:
        self.paths, self.authority, self.names, self.every_s = paths, authority, names, every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tls-keeper", daemon=True)

    def start(self) -> CertificateKeeper:
        self._thread.start()
        return self

    def check(self) -> str | None:
        """Renew now if due; returns why it was renewed."""
        reason = ensure_server_certificate(self.paths, self.authority, self.names())
        if reason:
            log.warning("made a new server certificate: %s", reason)
        return reason

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            try:
                self.check()
            except Exception:  # never let a bad minute end the keeping
                log.exception("checking the server certificate failed")

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
