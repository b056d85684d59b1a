"""What `lifeworld serve` prints when it is ready: where to open it, and how to connect a phone."""

from __future__ import annotations

import sys

import segno

from lifeworld.cli.common import console
from lifeworld.mdns import Announcement
from lifeworld.net import lan_address
from lifeworld.settings import Settings


def _qr(url: str) -> None:
    segno.make(url, error="m").terminal(out=sys.stdout, compact=True, border=2)


def print_banner(
    settings: Settings, *, https: bool, announced: Announcement | None, mdns_note: str = ""
) -> None:
    host, port = settings.host, settings.port
    scheme = "https" if https else "http"
    console.print()
    console.print("[bold]Life World OS is running.[/]")
    console.print(f"  On this computer:   [cyan]{scheme}://localhost:{port}/[/]")
    if host not in ("0.0.0.0", "::"):
        console.print(f"  Listening only on {host} (other devices cannot reach it).")
        console.print("  Stop it with Ctrl+C.")
        console.print()
        return
    lan = lan_address()
    if not lan:
        console.print("  No network address found: other devices cannot reach this machine.")
    elif not https:
        lan_url = settings.public_url or f"http://{lan}:{port}/"
        console.print(f"  On your home WiFi:  [cyan]{lan_url}[/]")
        console.print("  Scan this with your phone's camera:")
        _qr(lan_url)
    else:
        named = f"https://{announced.host}:{port}/" if announced else None
        app_url = settings.public_url or named or f"https://{lan}:{port}/"
        console.print(f"  On your home WiFi:  [cyan]{app_url}[/]  (or https://{lan}:{port}/)")
        if announced is not None and announced.renamed:
            console.print(
                f"  [yellow]{announced.wanted}.local is taken by another machine on this "
                f"network: this one is {announced.host}.[/]"
            )
        connect_url = f"http://{lan}:{port}/connect"
        console.print(
            "  Connect a phone (once per phone: it learns to trust this server): scan this with "
            f"its camera, or open [cyan]{connect_url}[/]"
        )
        _qr(connect_url)
    if mdns_note:
        console.print(f"  {mdns_note}")
    console.print("  Stop it with Ctrl+C.")
    console.print()
