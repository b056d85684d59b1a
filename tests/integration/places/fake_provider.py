"""A real HTTP server on 127.0.0.1 that answers like Nominatim and Google Places (for tests)."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

CAFE = {
    "osm_type": "node", "osm_id": 1001, "lat": "45.7601", "lon": "4.8357",
    "category": "amenity", "type": "cafe", "name": "Café des Tanneurs",
    "display_name": "Café des Tanneurs, Rue X, Lyon, France",
    "address": {"city": "Lyon", "country": "France"},
    "extratags": {"website": "https://tanneurs.example", "internet_access": "wlan"},
}  # fmt: skip
BAR = {
    "osm_type": "way", "osm_id": 2002, "lat": "45.7642", "lon": "4.8301",
    "category": "amenity", "type": "bar", "name": "Le Comptoir",
    "display_name": "Le Comptoir, Lyon, France", "address": {"town": "Lyon", "country": "France"},
}  # fmt: skip
GOOGLE_CAFE = {
    "id": "ChIJcafe123", "displayName": {"text": "Slake Coffee"}, "rating": 4.64,
    "formattedAddress": "1 Rue Y, 69002 Lyon, France", "primaryType": "coffee_shop",
    "types": ["coffee_shop", "cafe", "food"], "websiteUri": "https://slake.example",
    "location": {"latitude": 45.75, "longitude": 4.83},
    "addressComponents": [
        {"longText": "Lyon", "types": ["locality", "political"]},
        {"longText": "France", "types": ["country", "political"]},
    ],
}  # fmt: skip


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any
    at: float


@dataclass
class FakeProvider:
    """Answers /search, /lookup, /places:searchText and /places/{id}; `fail` forces a status."""

    requests: list[Seen] = field(default_factory=list)
    fail: int | None = None
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]

    def answer(self, seen: Seen) -> tuple[int, Any]:
        if self.fail:
            return self.fail, {"error": "forced"}
        if seen.path == "/search":
            return 200, [CAFE, BAR]
        if seen.path == "/lookup":
            ids = seen.query.get("osm_ids", [""])[0]
            return 200, [CAFE] if ids == "N1001" else []
        if seen.path == "/places:searchText":
            return 200, {"places": [GOOGLE_CAFE]}
        if seen.path == "/places/ChIJcafe123":
            return 200, GOOGLE_CAFE
        return 404, {"error": "not found"}

    def start(self) -> None:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                seen = Seen(self.command, parts.path, parse_qs(parts.query),
                            {k.lower(): v for k, v in self.headers.items()},
                            json.loads(raw) if raw else None, time.monotonic())  # fmt: skip
                fake.requests.append(seen)
                status, body = fake.answer(seen)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _serve

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
