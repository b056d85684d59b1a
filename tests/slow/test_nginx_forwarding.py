"""What the shipped nginx configuration tells the app about a client, read at the app's side:
a recording server on 127.0.0.1 stands where the instances stand, behind the real nginx."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import httpx
import pytest

from tests.slow.processes import free_port, start_nginx

pytestmark = pytest.mark.slow


class _Recorder(BaseHTTPRequestHandler):
    seen: ClassVar[list[dict[str, list[str]]]] = []

    def do_GET(self) -> None:
        headers: dict[str, list[str]] = {}
        for name, value in self.headers.items():
            headers.setdefault(name.lower(), []).append(value)
        self.seen.append(headers)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        return None


@pytest.fixture
def proxy(tmp_path: Path) -> Iterator[str]:
    """nginx with deploy/nginx's files in front of the recorder; its address."""
    _Recorder.seen = []
    upstream = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=upstream.serve_forever, daemon=True)
    thread.start()
    port = free_port()
    nginx = start_nginx(tmp_path / "nginx", [upstream.server_address[1]], port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        nginx.kill_group()
        upstream.shutdown()
        upstream.server_close()


def test_nginx_replaces_the_clients_forwarding_headers_with_what_it_saw(proxy: str) -> None:
    transport = httpx.HTTPTransport(local_address="127.0.0.9")
    with httpx.Client(transport=transport, timeout=10) as client:
        for claim in ("203.0.113.7", "198.51.100.1, 198.51.100.2"):
            answer = client.get(
                f"{proxy}/api/v1/ping",
                headers={"X-Forwarded-For": claim, "X-Forwarded-Proto": "https"},
            )
            assert answer.status_code == 200
    assert len(_Recorder.seen) == 2
    for headers in _Recorder.seen:
        assert headers["x-forwarded-for"] == ["127.0.0.9"], headers
        assert headers["x-forwarded-proto"] == ["http"], headers
        assert headers["host"] == [proxy.removeprefix("http://")], headers
