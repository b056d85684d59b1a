"""The offline gazetteer: ~155k towns and cities with coordinates, from a compact shipped file.

Loaded once per process on first use (about 0.1 s, ~25 MB). A name lookup is a binary search
over names sorted at build time; "what is near" scans one latitude band of a latitude-sorted
permutation, so no query ever walks the whole list.
"""

from __future__ import annotations

import bisect
import gzip
import json
import math
import struct
import threading
from array import array
from dataclasses import dataclass
from pathlib import Path

from lifeworld.game.places import words

DATA_FILE = Path(__file__).parent / "data" / "gazetteer.bin.gz"
ALIASES_FILE = Path(__file__).parent / "data" / "aliases.json"
MAGIC = b"LWGAZ1\n"
ATTRIBUTION = "Town data © GeoNames (geonames.org), CC BY 4.0"
EARTH_KM = 6371.0


def name_key(name: str) -> str:
    """The form names are compared in: lower-case words without accents."""
    return " ".join(words(name))


@dataclass(frozen=True, slots=True)
class Town:
    index: int
    name: str
    country_code: str
    country: str
    state: str
    lat: float
    lon: float
    population: int

    @property
    def id(self) -> str:
        return f"geo:{self.index}"


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(math.sqrt(a))


def _aliases(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Other names of cities ("NYC") and countries ("UK"), keyed as names are compared."""
    data = json.loads(path.read_text(encoding="utf-8"))
    cities = {name_key(k): v for k, v in data["cities"].items()}
    countries = {name_key(k): v for k, v in data["countries"].items()}
    return cities, countries


class Gazetteer:
    def __init__(self, path: Path = DATA_FILE, aliases: Path = ALIASES_FILE) -> None:
        data = gzip.decompress(path.read_bytes())
        if not data.startswith(MAGIC):
            raise ValueError(f"{path} is not a Life World gazetteer file")
        blobs, offset = [], len(MAGIC)
        while offset < len(data):
            (size,) = struct.unpack_from("<I", data, offset)
            blobs.append(data[offset + 4 : offset + 4 + size])
            offset += 4 + size
        header = json.loads(blobs[0])
        self.scale: int = header["scale"]
        self.countries: list[list[str]] = header["countries"]
        self.states: list[str] = header["states"]
        self.source: str = header["source"]
        self.keys = blobs[1].decode().split("\n")
        self.names = blobs[2].decode().split("\n")
        self.columns: dict[str, array[int]] = {}
        for (name, typecode), blob in zip(header["columns"], blobs[3:], strict=True):
            column: array[int] = array(typecode)
            column.frombytes(blob)
            self.columns[name] = column
        self._country_by_code = {code.lower(): i for i, (code, _) in enumerate(self.countries)}
        self._country_by_name = {name_key(n): i for i, (_, n) in enumerate(self.countries)}
        self._city_aliases, self._country_aliases = _aliases(aliases)

    def __len__(self) -> int:
        return len(self.keys)

    def town(self, index: int) -> Town | None:
        if not 0 <= index < len(self.keys):
            return None
        c = self.columns
        code, country = self.countries[c["country"][index]]
        return Town(
            index=index,
            name=self.names[index],
            country_code=code,
            country=country,
            state=self.states[c["state"][index]],
            lat=c["lat"][index] / self.scale,
            lon=c["lon"][index] / self.scale,
            population=c["population"][index],
        )

    def find(self, name: str, country: str | None = None) -> list[Town]:
        """Places called `name` (any case or accents), most populous first."""
        key = name_key(name)
        if not key:
            return []
        start = bisect.bisect_left(self.keys, key)
        end = bisect.bisect_right(self.keys, key, lo=start)
        towns = [t for i in range(start, end) if (t := self.town(i)) is not None]
        if country:
            wanted = self._country_index(country)
            towns = [t for t in towns if self.columns["country"][t.index] == wanted]
        return sorted(towns, key=lambda t: -t.population)

    def resolve(self, text: str) -> Town | None:
        """The place a person most likely means by "Lyon", "Lyon, FR", "Paris, France" or "NYC".

        A country after the comma is a preference: "Geneva, US" is the town in Illinois, but
        "San Francisco, CA" (a state, read as Canada) still finds the Californian city.
        """
        name, _, rest = text.partition(",")
        country = self._country_aliases.get(name_key(rest), rest.strip())
        found = self.find(name, country) if country else []
        alias = self._city_aliases.get(name_key(text)) or self._city_aliases.get(name_key(name))
        if not found and alias:
            alias_name, _, alias_country = alias.partition(",")
            found = self.find(alias_name, alias_country.strip() or None)
        found = found or self.find(name)
        return found[0] if found else None

    def near(self, lat: float, lon: float, *, radius_km: float, limit: int) -> list[Town]:
        """Places within `radius_km`, nearest first (the centre itself included)."""
        band = radius_km / 111.0
        lat_sorted, by_lat = self.columns["lat_sorted"], self.columns["by_lat"]
        lo = bisect.bisect_left(lat_sorted, round((lat - band) * self.scale))
        hi = bisect.bisect_right(lat_sorted, round((lat + band) * self.scale))
        lon_band = band / max(0.01, math.cos(math.radians(lat)))
        lons = self.columns["lon"]
        found: list[tuple[float, int]] = []
        for position in range(lo, hi):
            index = by_lat[position]
            if abs(lons[index] / self.scale - lon) > lon_band:
                continue
            town = self.town(index)
            if town is not None:
                km = distance_km(lat, lon, town.lat, town.lon)
                if km <= radius_km:
                    found.append((km, index))
        found.sort()
        return [t for _, i in found[:limit] if (t := self.town(i)) is not None]

    def _country_index(self, country: str) -> int | None:
        text = country.strip()
        return self._country_by_code.get(text.lower(), self._country_by_name.get(name_key(text)))


_loaded: Gazetteer | None = None
_lock = threading.Lock()


def gazetteer() -> Gazetteer:
    """The process's gazetteer, loaded on first use."""
    global _loaded
    if _loaded is None:
        with _lock:
            if _loaded is None:
                _loaded = Gazetteer()
    return _loaded
