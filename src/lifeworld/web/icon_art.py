"""Draw the app icon (SVG and PNG) from one description; no imaging library needed.

Run `python -m lifeworld.web.icon_art` after changing the art: it rewrites the files in
static/icons/, which are committed. PNGs are written with zlib by hand (RGBA, 8 bits).
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lifeworld.web.assets import STATIC_DIR

ICON_DIR = STATIC_DIR / "icons"
CANVAS = 512.0
CORNER = 112.0
GRADIENT = ((0x14, 0xB8, 0xA6), (0x0F, 0x76, 0x6E))  # top-left → bottom-right

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Circle:
    cx: float
    cy: float
    r: float
    color: RGB
    clip_to_planet: bool = False

    def covers(self, x: float, y: float) -> bool:
        return (x - self.cx) ** 2 + (y - self.cy) ** 2 <= self.r**2


SUN = Circle(360, 170, 56, (0xFB, 0xBF, 0x24))
PLANET = Circle(236, 276, 150, (0xF0, 0xFD, 0xFA))
HILLS = (
    Circle(170, 520, 250, (0x5E, 0xEA, 0xD4), clip_to_planet=True),
    Circle(430, 545, 230, (0x2D, 0xD4, 0xBF), clip_to_planet=True),
)
LAYERS = (SUN, PLANET, *HILLS)


def _hex(color: RGB) -> str:
    return "#" + "".join(f"{c:02x}" for c in color)


def svg_source() -> str:
    """The icon as SVG (used as favicon and in the page header)."""
    start, end = GRADIENT
    hills = "".join(
        f'<circle cx="{h.cx:g}" cy="{h.cy:g}" r="{h.r:g}" fill="{_hex(h.color)}"/>' for h in HILLS
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512">'
        '<defs><linearGradient id="bg" x1="0" y1="0" x2="1" y2="1">'
        f'<stop offset="0" stop-color="{_hex(start)}"/><stop offset="1" stop-color="{_hex(end)}"/>'
        "</linearGradient>"
        f'<clipPath id="planet"><circle cx="{PLANET.cx:g}" cy="{PLANET.cy:g}" r="{PLANET.r:g}"/>'
        "</clipPath></defs>"
        f'<rect width="512" height="512" rx="{CORNER:g}" fill="url(#bg)"/>'
        f'<circle cx="{SUN.cx:g}" cy="{SUN.cy:g}" r="{SUN.r:g}" fill="{_hex(SUN.color)}"/>'
        f'<circle cx="{PLANET.cx:g}" cy="{PLANET.cy:g}" r="{PLANET.r:g}" '
        f'fill="{_hex(PLANET.color)}"/>'
        f'<g clip-path="url(#planet)">{hills}</g>'
        "</svg>\n"
    )


def _in_rounded_square(x: float, y: float) -> bool:
    if not (0 <= x < CANVAS and 0 <= y < CANVAS):
        return False
    cx = min(max(x, CORNER), CANVAS - CORNER)
    cy = min(max(y, CORNER), CANVAS - CORNER)
    return (x - cx) ** 2 + (y - cy) ** 2 <= CORNER**2


def _background(x: float, y: float) -> RGB:
    t = min(1.0, max(0.0, (x + y) / (2 * CANVAS)))
    start, end = GRADIENT
    return (
        round(start[0] + (end[0] - start[0]) * t),
        round(start[1] + (end[1] - start[1]) * t),
        round(start[2] + (end[2] - start[2]) * t),
    )


def sample(x: float, y: float, *, maskable: bool) -> tuple[int, int, int, int]:
    """The colour at a point of the 512-unit canvas (RGBA)."""
    if maskable:
        # Full-bleed background; the art shrinks into the 80 % safe zone of maskable icons.
        art_x, art_y = (x - 256) / 0.8 + 256, (y - 256) / 0.8 + 256
    else:
        if not _in_rounded_square(x, y):
            return (0, 0, 0, 0)
        art_x, art_y = x, y
    color = _background(x, y)
    for layer in LAYERS:
        if layer.covers(art_x, art_y) and (not layer.clip_to_planet or PLANET.covers(art_x, art_y)):
            color = layer.color
    return (*color, 255)


def raster(size: int, *, maskable: bool = False, supersample: int = 4) -> list[bytes]:
    """RGBA rows of the icon at `size` pixels, anti-aliased by supersampling."""
    scale = CANVAS / size
    offsets = [(i + 0.5) / supersample for i in range(supersample)]
    count = supersample * supersample
    rows: list[bytes] = []
    for py in range(size):
        row = bytearray()
        for px in range(size):
            acc = [0, 0, 0, 0]
            for oy in offsets:
                for ox in offsets:
                    r, g, b, a = sample((px + ox) * scale, (py + oy) * scale, maskable=maskable)
                    acc[0] += r * a
                    acc[1] += g * a
                    acc[2] += b * a
                    acc[3] += a
            alpha = acc[3]
            if alpha == 0:
                row += b"\x00\x00\x00\x00"
            else:
                row += bytes(round(c / alpha) for c in acc[:3]) + bytes([round(alpha / count)])
        rows.append(bytes(row))
    return rows


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bytes(rows: list[bytes]) -> bytes:
    """A PNG file of RGBA rows (8 bits per channel, no interlace)."""
    height, width = len(rows), len(rows[0]) // 4
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    raw = b"".join(b"\x00" + row for row in rows)  # filter type 0 on every row
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(raw, 9))
        + _chunk(b"IEND", b"")
    )


OUTPUTS: dict[str, Callable[[], bytes]] = {
    "favicon-32.png": lambda: png_bytes(raster(32)),
    "icon-192.png": lambda: png_bytes(raster(192)),
    "icon-512.png": lambda: png_bytes(raster(512, supersample=3)),
    "icon-maskable-512.png": lambda: png_bytes(raster(512, maskable=True, supersample=3)),
    "icon.svg": lambda: svg_source().encode(),
}


def main(target: Path = ICON_DIR) -> None:
    """Write every icon file."""
    target.mkdir(parents=True, exist_ok=True)
    for name, make in OUTPUTS.items():
        (target / name).write_bytes(make())
        print(f"wrote {target / name}")


if __name__ == "__main__":
    main()
