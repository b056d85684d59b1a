"""`lifeworld setup` and `lifeworld serve`: prepare the database, then run the web server."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import socket
import time

import typer
import uvicorn
from sqlalchemy.exc import OperationalError

from lifeworld.cli.banner import print_banner
from lifeworld.cli.common import console, fail, ready_database, settings_or_exit
from lifeworld.db import migrate
from lifeworld.db.embedded import EmbeddedPostgres
from lifeworld.mdns import Announcement, announce
from lifeworld.net import machine_addresses
from lifeworld.settings import Settings, TlsMode
from lifeworld.tls.context import CERT_ENV, KEY_ENV
from lifeworld.tls.keeper import CertificateKeeper
from lifeworld.tls.serving import ServedTls, TlsSetupError, prepare_tls, wanted_names


def _check_port_free(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                fail(
                    f"port {port} is already in use on {host}. Stop the other program, or choose "
                    f"another port: lifeworld serve --port {port + 1} (or LIFEWORLD_PORT in .env)."
                )
            fail(f"cannot listen on {host}:{port}: {exc.strerror}")


def prepare(settings: Settings) -> tuple[str, EmbeddedPostgres | None, bool]:
    """Start the database if it is ours, migrate if not at head, load the game catalogue."""
    url, embedded, started = ready_database(settings)
    try:
        if migrate.upgrade(url):
            console.print(f"[green]✓[/] database migrated to {migrate.head_revision()}")
        from lifeworld.catalogue import sync_catalogue

        counts = sync_catalogue(url)
        if counts:
            console.print(f"[green]✓[/] game catalogue loaded ({counts})")
    except OperationalError as exc:
        if started and embedded is not None:
            embedded.stop()
        fail(f"cannot reach the database: {exc.orig}")
    return url, embedded, started


def _raise_exit(signum: int, frame: object) -> None:
    raise SystemExit(0)


def _announce(settings: Settings, *, https: bool) -> tuple[Announcement | None, str]:
    """lifeworld.local on the network, when on and the app listens there; and a note to print."""
    if not settings.mdns:
        return None, ""
    if settings.host not in ("0.0.0.0", "::"):
        return None, ""
    try:
        announced = announce(settings.mdns_name, settings.port, machine_addresses(), https=https)
    except (OSError, RuntimeError) as exc:
        return None, f"{settings.mdns_name}.local is not announced ({exc}); use the address."
    if announced is None:
        return None, ""
    # The workers answer to the name in use, which may carry a suffix.
    os.environ["LIFEWORLD_MDNS_NAME"] = announced.name
    return announced, ""


def _tls(settings: Settings, announced: Announcement | None) -> ServedTls | None:
    names = wanted_names(settings, machine_addresses(), announced.host if announced else None)
    try:
        served = prepare_tls(settings, names)
    except TlsSetupError as exc:
        fail(str(exc), 2)
    if served is None:
        return None
    if served.created_authority:
        console.print("[green]✓[/] made this home's certificate authority (phones install it once)")
    if served.renewed:
        console.print(f"[green]✓[/] made the server's certificate ({served.renewed})")
    os.environ[CERT_ENV], os.environ[KEY_ENV] = str(served.files.cert), str(served.files.key)
    return served


def serve(
    host: str | None = typer.Option(None, help="Address to listen on (default 0.0.0.0: the LAN)."),
    port: int | None = typer.Option(None, help="Port to listen on (default 5173)."),
    workers: int = typer.Option(
        1, min=1, max=32, envvar="LIFEWORLD_WORKERS", help="Worker processes."
    ),
    migrate_first: bool = typer.Option(True, "--migrate/--no-migrate", help="Migrate at start."),
) -> None:
    """Start the web app (and the embedded database when it is the one in use)."""
    started_at = time.monotonic()
    settings = settings_or_exit(host=host, port=port)
    _check_port_free(settings.host, settings.port)
    # The name first: the certificate covers the one announced (it may carry a suffix).
    announced, mdns_note = _announce(settings, https=settings.tls is not TlsMode.OFF)
    keeper: CertificateKeeper | None = None
    try:
        served = _tls(settings, announced)
        if served is not None and served.authority is not None and served.paths is not None:
            host_name = announced.host if announced else None
            keeper = CertificateKeeper(
                served.paths,
                served.authority,
                lambda: wanted_names(settings, machine_addresses(), host_name),
            ).start()
        _run(settings, workers, migrate_first, served, announced, mdns_note, started_at)
    finally:
        if keeper is not None:
            keeper.stop()
        if announced is not None:
            announced.close()


def _run(
    settings: Settings,
    workers: int,
    migrate_first: bool,
    served: ServedTls | None,
    announced: Announcement | None,
    mdns_note: str,
    started_at: float,
) -> None:
    if migrate_first:
        url, embedded, started = prepare(settings)
    else:
        url, embedded, started = ready_database(settings)
    os.environ["LIFEWORLD_DATABASE_URL"] = url
    os.environ["LIFEWORLD_HOST"] = settings.host
    os.environ["LIFEWORLD_PORT"] = str(settings.port)
    metrics_dir, own_metrics_dir = None, False
    if workers > 1:
        # Several workers answer /metrics: each writes its counts to files that every scrape
        # adds up (set before the workers import prometheus_client).
        from lifeworld.ops.metrics import prepare_multiprocess_dir

        metrics_dir, own_metrics_dir = prepare_multiprocess_dir()
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    print_banner(settings, https=served is not None, announced=announced, mdns_note=mdns_note)
    console.print(f"[dim]ready to start in {time.monotonic() - started_at:.1f} s[/]")
    # uvicorn re-raises SIGTERM after its graceful shutdown: turn it into an exception so
    # the embedded database is stopped below instead of the process dying on the spot.
    signal.signal(signal.SIGTERM, _raise_exit)
    try:
        uvicorn.run(
            "lifeworld.asgi:https_app_from_environment"
            if served
            else "lifeworld.asgi:app_from_environment",
            factory=True,
            # With TLS: one port for both, the first byte of a connection decides (listener.py).
            http="lifeworld.tls.listener:TlsOrPlainHttp" if served else "auto",
            host=settings.host,
            port=settings.port,
            workers=workers,
            log_level=settings.log_level,
            access_log=False,
            # The app reads X-Forwarded-For/-Proto itself (lifeworld/forwarding.py): uvicorn's
            # own reading believes the left-most entry, which the client wrote, under `*`.
            proxy_headers=False,
            timeout_keep_alive=settings.keep_alive_s,
            server_header=False,
            timeout_graceful_shutdown=10,
        )
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        if own_metrics_dir and metrics_dir is not None:
            shutil.rmtree(metrics_dir, ignore_errors=True)
        if started and embedded is not None:
            console.print("stopping the embedded PostgreSQL …")
            embedded.stop()


def setup() -> None:
    """Start the database, apply migrations and load the game catalogue (safe to repeat)."""
    settings = settings_or_exit()
    url, embedded, started = prepare(settings)
    console.print(f"[green]✓[/] database ready at revision {migrate.current_revision(url)}")
    if started and embedded is not None:
        embedded.stop()
