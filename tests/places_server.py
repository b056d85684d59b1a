"""A Nominatim on 127.0.0.1 that answers from tests/fixtures/nominatim/ (never the internet).

/search answers a recorded request with the same `q` (and `bounded`); a bounded search keeps
the recorded places inside the requested `viewbox`, as Nominatim does, so a box drawn around the
wrong city finds nothing. /lookup answers any recorded place by its OSM id. Anything else: [].
`stop()` then `start()` brings it down and back on the same port (connection refused between).

`SeparateNominatim` runs the same server in a process of its own, for tests that time arrivals:
a server thread in the test's process shares the interpreter lock with the app under test, and
its clock readings lag by up to ~0.1 s whenever the app is busy.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from urllib.request import urlopen

FIXTURES = Path(__file__).parent / "fixtures" / "nominatim"


@dataclass
class Recorded:
    path: str
    params: dict[str, str]
    response: list[dict[str, Any]]


@dataclass
class Seen:
    path: str
    params: dict[str, str]
    headers: dict[str, str]
    at: float


def load_recorded() -> list[Recorded]:
    found = []
    for path in sorted(FIXTURES.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        found.append(Recorded(doc["request"]["path"], doc["request"]["params"], doc["response"]))
    return found


def _inside(item: dict[str, Any], viewbox: str) -> bool:
    x1, y1, x2, y2 = (float(v) for v in viewbox.split(","))
    lat, lon = float(item["lat"]), float(item["lon"])
    return min(y1, y2) <= lat <= max(y1, y2) and min(x1, x2) <= lon <= max(x1, x2)


@dataclass
class RecordedNominatim:
    recorded: list[Recorded] = field(default_factory=load_recorded)
    requests: list[Seen] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def searches(self) -> list[str]:
        return [r.params.get("q", "") for r in self.requests if r.path == "/search"]

    def answer(self, path: str, params: dict[str, str]) -> list[dict[str, Any]]:
        if path == "/lookup":
            wanted = set(params.get("osm_ids", "").split(","))
            return [
                i
                for r in self.recorded
                for i in r.response
                if f"{i['osm_type'][:1].upper()}{i['osm_id']}" in wanted
            ]
        if path != "/search":
            return []
        bounded = params.get("bounded") == "1"
        items = [
            i
            for r in self.recorded
            if r.params["q"] == params.get("q") and (r.params.get("bounded") == "1") == bounded
            for i in r.response
        ]
        if bounded:
            items = [i for i in items if _inside(i, params["viewbox"])]
        return items[: int(params.get("limit", "10"))]

    def start(self) -> None:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                at = time.monotonic()  # one clock for every process of this machine
                parts = urlsplit(self.path)
                params = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                headers = {k.lower(): v for k, v in self.headers.items()}
                if parts.path == "/_seen":  # what a SeparateNominatim's parent asks
                    answer: Any = [vars(r) for r in fake.requests]
                else:
                    fake.requests.append(Seen(parts.path, params, headers, at))
                    answer = fake.answer(parts.path, params)
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json; charset=utf-8")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


class SeparateNominatim:
    """The recorded Nominatim in a child process (`python -m tests.places_server`)."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[str] | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def requests(self) -> list[Seen]:
        with urlopen(f"{self.url}/_seen", timeout=5) as response:
            return [Seen(**seen) for seen in json.load(response)]

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.places_server"],
            cwd=Path(__file__).parents[1],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.port = int(self.process.stdout.readline())

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            if self.process.stdout is not None:
                self.process.stdout.close()
            self.process = None


if __name__ == "__main__":
    server = RecordedNominatim()
    server.start()
    print(server.port, flush=True)
    threading.Event().wait()  # until the parent terminates this process
